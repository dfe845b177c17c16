# kernel: reject
# type: sched_cls
r2 = *(u32 *)(r1 + 168)
r0 = 0
exit
