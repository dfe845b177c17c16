# kernel: reject
# type: sched_cls
# kernel log: multiple exception callback tags for main subprog
.global_func cb(scalar) exception_callback
.global_func cb2(scalar) exception_callback
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
r0 = 0
exit
cb2:
r0 = 1
exit
