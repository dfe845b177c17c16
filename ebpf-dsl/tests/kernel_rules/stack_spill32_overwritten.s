# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
*(u32 *)(r10 - 64) = 45
*(u8 *)(r10 - 63) = 1
r0 = *(u32 *)(r10 - 64)
if r0 != 45 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
