# kernel: reject
# type: sched_cls
# kernel log: exception cb only supports single integer argument
.global_func cb(scalar, scalar) exception_callback
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
r0 = 0
exit
