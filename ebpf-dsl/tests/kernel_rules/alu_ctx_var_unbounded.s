# kernel: reject
# kernel log: (math between ctx pointer and register with unbounded min value)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r2 = *(u32 *)(r1 + 16)
r2 <<= 32
r1 += r2
r0 = 2
exit
