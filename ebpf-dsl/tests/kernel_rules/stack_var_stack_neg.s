# kernel: reject
# kernel log: R3 subtraction from stack pointer prohibited
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r3 = r10
r3 -= r2
r0 = 2
exit
