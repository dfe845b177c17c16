# kernel: reject
# kernel log: (variable ctx access)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r1 += 4
r0 = *(u32 *)(r1 + 0)
r0 = 2
exit
