# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# A sign-extending fill of a spilled 0..=255 is any s8: `r7 s< 0` may be true.
r6 = *(u32 *)(r1 + 12)
r6 &= 255
*(u64 *)(r10 - 8) = r6
r7 = *(s8 *)(r10 - 8)
if r7 s< 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
