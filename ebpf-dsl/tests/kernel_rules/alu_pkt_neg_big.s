# kernel: reject
# kernel log: math between pkt pointer and -536870912 is not allowed
r1 = *(u32 *)(r1 + 0)
r1 += -536870912
r0 = 2
exit
