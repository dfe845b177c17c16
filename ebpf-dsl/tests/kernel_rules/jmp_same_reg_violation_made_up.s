# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar' (after `if w6 > w6`'s REG INVARIANTS VIOLATION r6 holds known bits 0..=1 with unbounded ranges; `if r6 > 1` is not decided by the ranges, its taken branch (umin 2 against known bits 0..=1, no value) is walked with r6 = 1, the constant 6.18's step-by-step synchronisation makes of it, so `if r6 == 1` is taken there. An unknown value after the violation (what this verifier took before) walks that branch with r6 in 2..=u64::MAX and proves `r6 == 1` false: a false accept)
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
