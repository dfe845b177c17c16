# kernel: accept
# kernel log: (r5 <<= 32 keeps smax = 155 << 32: r5 s>>= 32 is at most 155)
# `rX <<= 32; rX s>>= 32` keeps a 32-bit maximum that is not negative, shifted up (since
# Linux 5.7's 32-bit bounds): the offset 0..155 stays within 2^16, so a comparison with data_end
# then makes the byte readable.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 256
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 -= 100
r5 <<= 32
r5 s>>= 32
if r5 s< 0 goto out
r2 += r5
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
