# kernel: accept
# `r4 >= data_end` taken marks r4 at the end (AT_PKT_END): `r4 < data_end` is then known
# false, with data_end on either side.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 >= r3 goto x
r0 = 2
exit
x:
if r4 < r3 goto bad
if r3 > r4 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
