# kernel: accept
*(u32 *)(r10 - 64) = 45
r0 = *(u32 *)(r10 - 64)
if r0 != 45 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
