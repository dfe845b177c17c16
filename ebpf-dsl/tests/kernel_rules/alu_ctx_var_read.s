# kernel: reject
# kernel log: (variable ctx access var_off=(0x0; 0x7) disallowed)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r0 = *(u32 *)(r1 + 0)
r0 = 2
exit
