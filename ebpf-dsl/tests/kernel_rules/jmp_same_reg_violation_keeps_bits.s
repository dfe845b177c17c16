# kernel: accept
# target: 6.18
# kernel log: (accepted) `if w6 > w6` on r6 in 0..=1 is taken by no value; 6.18.44 refines the register as both operands, the bounds cross (u32 1..=0), `reg_bounds_sanity_check` logs "verifier bug: REG INVARIANTS VIOLATION (true_reg1)" and marks the register unbounded keeping its known bits (`__mark_reg_unbounded` leaves var_off 0..=1, bounds not synchronised again), so `r6 & 16` is decided false. This verifier holds that state too (`Scalar::unbounded_bits`); synchronising it would be a false accept (jmp_same_reg_violation_unbounded.s, jmp_same_reg_violation_made_up.s)
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
