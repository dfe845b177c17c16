# kernel: accept
# since: 6.12
# `r0 <<= 1` of 2^62 + 1..=2^62 + 4: the 64-bit rule keeps no range (the maximum is above
# 2^(63 - 1), `__scalar64_min_max_lsh`), but the 32-bit bounds shift (1..=4 to 2..=8,
# `__scalar32_min_max_lsh`) and the synchronisation puts them back into the 64-bit range
# (2^63 + 2..=2^63 + 8): `r0 == 2^63` never holds.
call bpf_get_prandom_u32
r0 &= 3
r1 = 0x4000000000000001 ll
r0 += r1
r0 <<= 1
r1 = 0x8000000000000000 ll
if r0 == r1 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
