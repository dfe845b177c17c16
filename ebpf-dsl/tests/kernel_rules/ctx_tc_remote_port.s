# kernel: reject
# type: sched_cls
r0 = *(u32 *)(r1 + 132)
r0 = 0
exit
