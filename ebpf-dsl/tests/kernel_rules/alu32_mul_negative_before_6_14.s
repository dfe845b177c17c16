# kernel: accept
# since: 6.14
# kernel log: (accepted) w6 is 42029..=42156 and `w6 *= -203`: 6.18.44 multiplies the signed 32-bit bounds (-8557668..=-8531887, no overflow), so `if w6 < 1000` is never taken. Kernels before 6.14 (6.12.118's `scalar32_min_max_mul`: "Ain't nobody got time to multiply that sign") forget the 32-bit bounds of a product with a negative operand and keep only `tnum_mul`'s known bits, which bound nothing here: they walk the branch and refuse the load. This verifier took those known bits from its own (range-narrowed) result before: a false accept for 6.1-6.13
call bpf_get_prandom_u32
w6 = w0
w6 &= 0x7f
w6 += 42029
w6 *= -203
if w6 < 1000 goto bad
r0 = 0
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
