# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low half of `r7 *= 0x7fffffff` of an odd 1..=15 reaches 0x7ffffff1 (15 * 0x7fffffff
# is 0x77ffffff1): `w7 s< 0x7ffffff2` holds for it.
r7 = *(u32 *)(r1 + 12)
r7 &= 15
r7 |= 1
r7 *= 2147483647
if w7 s< 2147483634 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
