# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
*(u64 *)(r10 - 16) = 0
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r3 = r10
r3 += -16
r3 += r2
r0 = *(u8 *)(r3 + 0)
if r0 != 0 goto bad
r0 = 2
exit
bad:
r0 = *(u8 *)(r0 + 0)
exit
