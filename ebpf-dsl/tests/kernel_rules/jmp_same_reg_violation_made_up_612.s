# kernel: reject
# target: 6.12
# kernel log: R0 invalid mem access 'scalar' (the 6.18.44 verdict; the same program as jmp_same_reg_violation_made_up.s, verified for 6.12: 6.12.118's `reg_set_min_max` refines `if w6 > w6` on r6 in 0..=1 into crossed bounds, its `reg_bounds_sync` (6.18's without `tnum_step`) leaves the known bits 0..=1, `reg_bounds_sanity_check` fails and `__mark_reg_unbounded` keeps them with unbounded ranges. `if r6 > 1` is not decided by those ranges; its taken branch (umin 2 against the known bits, no value) fails the check again and is walked with the known bits 0..=1, so `if r6 == 1` is taken there. An unknown value after the first violation (what this verifier took for 6.12-6.17 before) walks that branch with r6 in 2..=u64::MAX and proves `r6 == 1` false: a false accept)
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 > w6 goto l0
r0 = 0
exit
l0:
if r6 > 1 goto l1
r0 = 2
exit
l1:
if r6 == 1 goto bad
r0 = 3
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
