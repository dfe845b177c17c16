# kernel: accept
# A counter the callback bumps in the caller's stack, which then decides the return value:
# an XDP program's return value is not range-checked, so the counter is never precise; the
# kernel widens it after a round (widen_imprecise_scalars) and the rounds converge.
*(u64 *)(r10 - 8) = 0
r1 = 100
r2 = bump ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = *(u64 *)(r10 - 8)
r0 &= 1
exit
bump:
r1 = *(u64 *)(r2 + 0)
r1 += 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
