# kernel: accept
# w8 = (s8)w6 is -128..=127 as a signed 32-bit number (coerce_subreg_to_size_sx), zero-extended
# to 64 bits: `w8 s>= 128` is never true, so bad is dead.
r6 = *(u32 *)(r1 + 12)
w8 = (s8)w6
if w8 s>= 128 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
