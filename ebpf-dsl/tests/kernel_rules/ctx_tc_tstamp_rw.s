# kernel: accept
# type: sched_cls
r2 = *(u64 *)(r1 + 152)
r2 += 1000
*(u64 *)(r1 + 152) = r2
r0 = 0
exit
