# kernel: accept
r1 = *(u32 *)(r1 + 0)
r1 += -536870911
r0 = 2
exit
