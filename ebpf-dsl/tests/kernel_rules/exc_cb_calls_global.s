# kernel: accept
# since: 6.7
# type: sched_cls
# The exception callback calls another global function (verified on its own too).
.global_func cb(scalar) exception_callback
.global_func g(scalar)
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
call g
exit
g:
r0 = r1
exit
