# kernel: accept
# kernel log: processed 51 insns (limit 1000000) max_states_per_insn 0 total_states 2
# The same join as stack_prune_unallocated_slot, but the second path stored a byte in the
# slot at r10 - 64 (the frame now allocated that deep; the other bytes never written, unknown
# to a privileged loader): the old 8-byte spill of an imprecise number covers the slot's
# unknown bytes (`scalar_reg_for_stack` gives `unbound_reg`), and the second path is pruned
# at the join (51 processed).
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
*(u64 *)(r10 - 64) = r6
goto j
b:
*(u8 *)(r10 - 60) = r6
j:
r3 = 0
r4 = 0
r5 = 0
if r9 == 1 goto end
r1 = *(u64 *)(r10 - 64)
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
