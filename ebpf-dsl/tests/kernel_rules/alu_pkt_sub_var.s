# kernel: reject
# kernel log: R5 min value is negative, either use unsigned index or do a if (index >=0) check.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = r2
r6 += 16
if r6 > r3 goto out
r4 = *(u8 *)(r2 + 0)
r4 &= 7
r5 = r6
r5 -= r4
r0 = *(u8 *)(r5 + 0)
out:
r0 = 2
exit
