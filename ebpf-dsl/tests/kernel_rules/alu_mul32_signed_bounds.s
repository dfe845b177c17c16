# kernel: accept
# since: 6.14
# `w0 *= -4` of 0..=7: the signed 32-bit bounds are the products of the bounds, -28..=0
# (`scalar32_min_max_mul`, none overflows), so `w0 s> 4095` never holds.
call bpf_get_prandom_u32
r0 &= 7
w0 *= -4
if w0 s> 4095 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
