# kernel: accept
# kernel log: processed 56 insns (limit 1000000) max_states_per_insn 0 total_states 2
# An old 2-byte spill covers a new 4-byte one whose number lies within its bounds (the
# old spilled bytes are among the new ones): the second path is pruned at the join (56
# processed, 97 when spills of different sizes never cover each other).
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
*(u16 *)(r10 - 64) = r6
goto j
b:
*(u32 *)(r10 - 64) = r7
j:
r3 = 0
r4 = 0
r5 = 0
if r9 == 1 goto end
r1 = *(u16 *)(r10 - 64)
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
