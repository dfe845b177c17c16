# kernel: accept
# since: 6.18
# r8 = (0 or 128) - 3 is -3 or 125: -3..=125, unsigned 125..=2^64-3. 6.18 keeps a range that
# fits in s8 through r5 = (s8)r8, its unsigned bounds too, so `r5 < 125` is never true.
r8 = *(u32 *)(r1 + 12)
r8 &= 128
r8 -= 3
r5 = (s8)r8
if r5 < 125 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
