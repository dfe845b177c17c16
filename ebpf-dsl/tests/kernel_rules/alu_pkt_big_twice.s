# kernel: reject
# kernel log: pkt pointer offset 536870912 is not allowed
r1 = *(u32 *)(r1 + 0)
r1 += 536870911
r1 += 1
r0 = 2
exit
