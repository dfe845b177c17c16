# kernel: accept
# A 2-byte spill of 0..=7 filled with `*(s16 *)` is 0..=7 too.
r6 = *(u32 *)(r1 + 12)
r6 &= 7
*(u16 *)(r10 - 8) = r6
r7 = *(s16 *)(r10 - 8)
if r7 > 7 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
