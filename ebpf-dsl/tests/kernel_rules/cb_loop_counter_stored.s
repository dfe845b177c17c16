# kernel: accept
# A counter the callback bumps in the caller's stack, then stored in a map: no decision
# depends on it, so the rounds converge.
*(u64 *)(r10 - 8) = 0
r1 = 100
r2 = bump ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r1 = *(u64 *)(r10 - 8)
r2 = map_value(m, 0) ll
*(u64 *)(r2 + 0) = r1
r0 = 2
exit
bump:
r1 = *(u64 *)(r2 + 0)
r1 += 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
