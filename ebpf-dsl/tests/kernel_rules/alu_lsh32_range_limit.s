# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `w0 <<= 27` of 4..=19 keeps no range: the kernel shifts the 32-bit bounds only when the
# maximum is at most 2^(31 - 27) = 16 (`__scalar32_min_max_lsh`), though 19 << 27 fits;
# the known bits (0; 0xf8000000) then allow 0, and `r0 s<= 64` is walked.
call bpf_get_prandom_u32
r0 &= 15
w0 += 4
w0 <<= 27
if r0 s<= 64 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
