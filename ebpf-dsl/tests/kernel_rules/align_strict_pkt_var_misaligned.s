# kernel: reject
# flags: 1
# kernel log: misaligned packet access off 2+(0x0; 0x3fc)+0+6 size 8
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 <<= 2
r2 += r5
r4 = r2
r4 += 16
if r4 > r3 goto out
r0 = *(u64 *)(r2 + 6)
out:
r0 = 2
exit
