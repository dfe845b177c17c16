# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `w0 *= -4` of 0..=7 is -28..=0 in signed 32 bits, no narrower: `w0 s< -27` holds for -28.
call bpf_get_prandom_u32
r0 &= 7
w0 *= -4
if w0 s< -27 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
