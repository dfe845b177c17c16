# kernel: accept
# since: 6.18
# kernel log: 6.18 (perhaps 6.17) keeps the unsigned range of a sum whose two ends both wrap past 2^64 (scalar_min_max_add): r0 in 2^63..=2^63+0x2fffffffd plus 2^63 is 0..=0x2fffffffd; before, any overflow made the range unknown (the signed one overflows too, the known bits leave 0..=2^34-1, the low halves are any u32), and `if r0 > r3` was walked to the scalar load
call bpf_get_prandom_u32
w0 = w0
r0 *= 3
r2 = 0x8000000000000000 ll
r0 += r2
r0 += r2
r3 = 0x2fffffffd ll
if r0 > r3 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
