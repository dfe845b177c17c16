# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# w8 = (s8)w6 is zero-extended: as a 64-bit number it is 0..=0xffffffff, so `r8 s< 0` is
# never true but `r8 > 127` may be.
r6 = *(u32 *)(r1 + 12)
w8 = (s8)w6
if r8 s< 0 goto out
if r8 > 127 goto bad
out:
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
