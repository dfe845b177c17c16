# kernel: accept
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r3 = r10
r3 += -16
r3 += r2
*(u8 *)(r3 + 0) = 1
r0 = 2
exit
