# kernel: accept
# type: sched_cls
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r0 = *(u32 *)(r2 + 4)
out:
r0 = 0
exit
