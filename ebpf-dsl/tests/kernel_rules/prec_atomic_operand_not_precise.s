# kernel: accept
# kernel log: processed 28 insns (limit 1000000) max_states_per_insn 0 total_states 2
# The operand of an atomic add is stored, never checked: the kernel starts no precision chain
# at an atomic instruction (`backtrack_insn`), so the number added (r8: 1 on the first path,
# 2..=u64::MAX on the second) stays imprecise and the second path is pruned at the join.
call bpf_get_prandom_u32
r8 = r0
*(u64 *)(r10 - 8) = 0
r1 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
if r8 > 1 goto b
r8 = 1
goto j
b:
r1 = 0
j:
r0 = 1
if r1 == 1 goto end
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
lock *(u64 *)(r10 - 8) += r8
end:
r0 = 0
exit
