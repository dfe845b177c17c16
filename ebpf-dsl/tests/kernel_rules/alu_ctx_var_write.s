# kernel: reject
# kernel log: (variable ctx access)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r3 = 0
*(u32 *)(r1 + 0) = r3
r0 = 2
exit
