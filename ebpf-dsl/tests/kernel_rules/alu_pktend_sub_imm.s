# kernel: reject
# kernel log: R3 pointer arithmetic on pkt_end prohibited
r3 = *(u32 *)(r1 + 4)
r3 -= 4
r0 = 2
exit
