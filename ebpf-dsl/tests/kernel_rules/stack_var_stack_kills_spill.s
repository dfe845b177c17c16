# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
*(u64 *)(r10 - 16) = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r3 = r10
r3 += -16
r3 += r2
*(u8 *)(r3 + 0) = 1
r1 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r1 + 16)
r0 = 2
exit
