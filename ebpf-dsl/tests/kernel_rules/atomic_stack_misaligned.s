# kernel: reject
# kernel log: misaligned stack access off 0+0+-6 size 4
*(u64 *)(r10 - 8) = 0
w1 = 1
lock *(u32 *)(r10 - 6) += w1
r0 = 0
exit
