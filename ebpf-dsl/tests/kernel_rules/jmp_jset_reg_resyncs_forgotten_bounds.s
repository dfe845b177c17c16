# kernel: accept
# target: 6.18
# kernel log: (accepted) As jmp_jset_resyncs_forgotten_bounds.s with `if r6 & r7` of an unknown r7: neither operand is a constant, nothing is refined, both are synchronised; r6 is in 0..=1 again
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 < w6 goto l0
r0 = 0
exit
l0:
r7 = r0
if r6 & r7 goto l1
r0 = 0
exit
l1:
if r6 > 64 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
