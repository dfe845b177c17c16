# kernel: reject
# type: sched_cls
r2 = 0
*(u64 *)(r1 + 168) = r2
r0 = 0
exit
