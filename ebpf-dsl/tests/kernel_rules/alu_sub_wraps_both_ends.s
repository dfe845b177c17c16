# kernel: accept
# since: 6.18
# kernel log: 6.17 keeps the unsigned range of a difference whose two ends are both below 0 (scalar_min_max_sub): 1..=0x2fffffffe minus 2^63 is 2^63+1..=2^63+0x2fffffffe; before, the range was unknown (the signed one overflows too, the known bits leave 2^63..=2^63+2^34-1, the low halves are any u32), and `if r0 > r3` was walked to the scalar load
call bpf_get_prandom_u32
w0 = w0
r0 *= 3
r0 += 1
r2 = 0x8000000000000000 ll
r0 -= r2
r3 = 0x80000002fffffffe ll
if r0 > r3 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
