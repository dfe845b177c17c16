# kernel: accept
# kernel log: processed 57 insns (limit 1000000) max_states_per_insn 0 total_states 2
# A non-zero number stored off a slot's start leaves unknown bytes (`STACK_MISC`, no spill,
# no history entry): a later precise use of a load from that slot does not make the stored
# register precise (`backtrack_insn` carries nothing from such a slot). r8 (3, then 5) stays
# imprecise at the join and the second path is pruned (57 processed, not 99).
call bpf_get_prandom_u32
r6 = r0
r7 = r0
r7 &= 255
r6 &= 65535
r8 = 0
r9 = 0
r1 = 0
r2 = 0
if r0 > 10 goto b
r8 = 3
goto j
b:
r8 = 5
j:
r3 = 0
r4 = 0
r5 = 0
if r9 == 1 goto end
*(u8 *)(r10 - 59) = r8
r1 = *(u8 *)(r10 - 64)
r1 &= 7
r2 = r10
r2 += -8
r2 += r1
r0 = *(u8 *)(r2 + 0)
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
end:
r0 = 2
exit
