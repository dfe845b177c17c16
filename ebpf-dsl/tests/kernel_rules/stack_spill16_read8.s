# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
*(u64 *)(r10 - 64) = 0
*(u16 *)(r10 - 64) = 7
r0 = *(u64 *)(r10 - 64)
if r0 != 7 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
