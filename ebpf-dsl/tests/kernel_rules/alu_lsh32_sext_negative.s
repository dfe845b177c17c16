# kernel: accept
# since: 6.12
# kernel log: (r5 <<= 32 keeps smin = -100 << 32, so r5 s>>= 32 is -100..0 after the branch)
# `rX <<= 32; rX s>>= 32` (the compilers' sign extension of a 32-bit value) keeps a negative
# 32-bit minimum, shifted up (`__scalar64_min_max_lsh`; before, only a bound that is not
# negative): the packet offset 0 - (-100..0) stays within 2^16, so a comparison with data_end
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
if r5 s> 0 goto out
r6 = 0
r6 -= r5
r2 += r6
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
