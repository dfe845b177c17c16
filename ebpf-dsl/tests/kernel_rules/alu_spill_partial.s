# kernel: reject
# kernel log: invalid size of register spill
*(u32 *)(r10 - 8) = w1
r0 = 0
exit
