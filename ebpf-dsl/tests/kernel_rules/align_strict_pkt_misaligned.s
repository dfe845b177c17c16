# kernel: reject
# flags: 1
# kernel log: misaligned packet access off 2+0+0+0 size 4
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit
