# kernel: accept
r1 = *(u32 *)(r1 + 16)
r1 &= 0xff
*(u64 *)(r10 - 64) = r1
r0 = *(u8 *)(r10 - 64)
r0 += 1
if r0 > 256 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
