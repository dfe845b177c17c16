# kernel: accept
r2 = *(u32 *)(r1 + 16)
r2 &= 4
r3 = r10
r3 += -16
r3 += r2
r0 = *(u32 *)(r3 + 0)
r0 = 2
exit
