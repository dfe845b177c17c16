# kernel: reject
# kernel log: invalid unbounded variable-offset read from stack R3
r2 = *(u32 *)(r1 + 16)
r3 = r10
r3 += -16
r3 += r2
r0 = *(u8 *)(r3 + 0)
r0 = 2
exit
