# kernel: accept
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
*(u64 *)(r10 - 8) = r1
r1 = *(u64 *)(r10 - 8)
r0 = 2
exit
