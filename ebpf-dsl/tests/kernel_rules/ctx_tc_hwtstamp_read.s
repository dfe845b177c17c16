# kernel: accept
# type: sched_cls
r0 = *(u64 *)(r1 + 184)
r0 = 0
exit
