# kernel: reject
# kernel log: misaligned stack access off (0x0; 0x7)+-16+0 size 4
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r3 = r10
r3 += -16
r3 += r2
r0 = *(u32 *)(r3 + 0)
r0 = 2
exit
