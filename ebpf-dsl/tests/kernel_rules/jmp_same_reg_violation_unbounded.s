# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar' (as jmp_same_reg_violation_keeps_bits.s: after the REG INVARIANTS VIOLATION of `if w6 > w6`, r6 has known bits 0..=1 but unbounded ranges, so `if r6 > 1` is not decided; its taken branch (no value: umin 2 against known bits 0..=1) is walked with r6 = 1, what 6.18's step-by-step synchronisation makes of it)
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 > w6 goto l0
r0 = 0
exit
l0:
if r6 > 1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
