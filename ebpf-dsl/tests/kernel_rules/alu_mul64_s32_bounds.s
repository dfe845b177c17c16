# kernel: accept
# since: 6.14
# A 64-bit `r0 *= -3` multiplies the 32-bit bounds too (`scalar32_min_max_mul` runs for
# either width): r0's low half is -4..=3 in signed 32 bits (its 64-bit range is anything
# zero-extended), so the product's is -9..=12 and `w0 s> 12` never holds.
call bpf_get_prandom_u32
r0 &= 7
w0 -= 4
r0 *= -3
if w0 s> 12 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
