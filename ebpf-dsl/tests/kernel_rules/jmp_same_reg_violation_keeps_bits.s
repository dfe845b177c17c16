# kernel: accept
# target: 6.18
# ours: reject
# why ours rejects: `if w6 > w6` on r6 in 0..=1 is taken by no value; 6.18.44 (and 6.12) refine the register as both operands, the bounds cross (u32 1..=0), `reg_bounds_sanity_check` logs "verifier bug: REG INVARIANTS VIOLATION (true_reg1)" and marks the register unbounded keeping its known bits (`__mark_reg_unbounded` leaves var_off 0..=1, bounds not synchronised again), so `r6 & 16` is decided false. This verifier's values keep their bounds synchronised with their known bits and holds no such state: it takes an unknown value there (synchronising would be a false accept, see jmp_same_reg_violation_unbounded.s)
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 > w6 goto l0
r0 = 0
exit
l0:
if r6 & 16 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
