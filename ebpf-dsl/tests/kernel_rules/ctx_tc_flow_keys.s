# kernel: reject
# type: sched_cls
r0 = *(u64 *)(r1 + 144)
r0 = 0
exit
