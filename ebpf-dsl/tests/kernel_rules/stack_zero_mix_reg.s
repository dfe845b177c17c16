# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
r1 = 0
*(u32 *)(r10 - 64) = r1
*(u32 *)(r10 - 60) = r1
r0 = *(u64 *)(r10 - 64)
if r0 != 0 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
