# kernel: accept
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r0 = 2
exit
