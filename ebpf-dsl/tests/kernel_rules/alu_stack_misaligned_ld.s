# kernel: reject
# kernel log: misaligned stack access off 0+0+-6 size 4
*(u64 *)(r10 - 8) = 0
r0 = *(u32 *)(r10 - 6)
exit
