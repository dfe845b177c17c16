# kernel: accept
# target: 6.18
# kernel log: (accepted) As jmp_same_reg_resyncs_forgotten_bounds.s with `if r6 & r6`: after the REG INVARIANTS VIOLATION of `if w6 < w6`, r6 keeps its known bits 0..=1 with unbounded ranges; the `&` test is not decided and refines nothing, but `reg_set_min_max` synchronises both operands (`reg_bounds_sync`), so r6 is in 0..=1 again on the taken branch and `r6 > 64` never holds there
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 < w6 goto l0
r0 = 0
exit
l0:
if r6 & r6 goto l1
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
