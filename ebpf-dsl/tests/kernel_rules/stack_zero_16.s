# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
*(u16 *)(r10 - 64) = 0
r0 = *(u16 *)(r10 - 62)
if r0 != 0 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
