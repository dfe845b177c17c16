# kernel: accept
# since: 6.14
# kernel log: (accepted) r6 is 42029..=42156 and `r6 *= -203`: 6.18.44 multiplies the signed bounds (-8557668..=-8531887), so `if r6 s> -1000` is never taken. Kernels before 6.14 (6.12.118's `scalar_min_max_mul`: a negative operand makes the 64-bit bounds unbounded) keep only `tnum_mul`'s known bits, which bound nothing here: they walk the branch and refuse the load. This verifier took those known bits from its own (range-narrowed) result before: a false accept for 6.12-6.13 (6.1 and 6.6 also, for a constant multiplier)
call bpf_get_prandom_u32
r6 = r0
r6 &= 0x7f
r6 += 42029
r6 *= -203
if r6 s> -1000 goto bad
r0 = 0
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
