# kernel: accept
r2 = *(u32 *)(r1 + 16)
r2 &= 8
r3 = r10
r3 += -16
r3 += r2
*(u64 *)(r3 + 0) = r1
r0 = 2
exit
