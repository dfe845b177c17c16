# kernel: accept
# type: sched_cls
r2 = *(u32 *)(r1 + 160)
r3 = *(u16 *)(r1 + 164)
r4 = *(u32 *)(r1 + 176)
r0 = 0
exit
