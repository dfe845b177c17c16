# kernel: accept
# target: 6.18
# kernel log: (accepted) `if w6 < w6` on r6 in 0..=1 is taken by no value: REG INVARIANTS VIOLATION (true_reg1), r6 left with its known bits 0..=1 and unbounded ranges (jmp_same_reg_violation_keeps_bits.s). `if r6 >= r6` (64 bits) narrows nothing, but `reg_set_min_max` still runs `reg_bounds_sync` on the register, which takes its bounds from the known bits again: 0..=1 on the taken branch, so `r6 > 64` never holds there and `bad` is dead. Keeping the forgotten bounds walks into `bad` (as jmp_same_reg_resyncs_forgotten_bounds.s, a 64-bit `>=`). Without the second comparison the kernel walks `bad` (jmp_same_reg_violation_unbounded.s)
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 < w6 goto l0
r0 = 0
exit
l0:
if r6 >= r6 goto l1
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
