# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low half of `r0 *= -3` for -4..=3 is -9..=12 in signed 32 bits, no narrower: 3 * -3 is
# -9, so `w0 s< -8` holds.
call bpf_get_prandom_u32
r0 &= 7
w0 -= 4
r0 *= -3
if w0 s< -8 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
