# kernel: reject
# type: sched_cls
# kernel log: insn 1 cannot call exception cb directly
.global_func cb(scalar) exception_callback
r1 = 7
call cb
r0 = 0
exit
cb:
r0 = 0
exit
