# kernel: accept
# since: 6.18
# 6.18's `tnum_mul` (shift-and-add alone): `r7 *= 0x7fffffff` of an odd 1..=15 (known bits
# 0x1, mask 0xe) has the low half 0x7ffffff1 with mask 0xe, so `w7 s< 7` never holds; the
# union with the older partial-products result knows nothing of the low half.
r7 = *(u32 *)(r1 + 12)
r7 &= 15
r7 |= 1
r7 *= 2147483647
if w7 s< 7 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
