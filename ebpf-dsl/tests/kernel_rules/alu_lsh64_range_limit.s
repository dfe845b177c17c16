# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `r0 <<= 1` of 2^62 + 2^31 + 1..=2^62 + 2^31 + 4 keeps no range, neither 64-bit (maximum
# above 2^62) nor 32-bit (maximum above 2^30): only the known bits (2^63 + 2^32; 0xe), which
# allow 2^63 + 2^32, so the equal branch is walked.
call bpf_get_prandom_u32
r0 &= 3
r1 = 0x4000000080000001 ll
r0 += r1
r0 <<= 1
r1 = 0x8000000100000000 ll
if r0 == r1 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
