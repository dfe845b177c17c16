# kernel: accept
# kernel log: processed 52 insns (limit 1000000) max_states_per_insn 0 total_states 2
# A slot of unknown bytes in the checkpoint covers a spilled pointer in the new state: for
# a privileged loader 6.18's `stacksafe` skips every old `STACK_MISC` byte (a path safe
# whatever 8 bytes were there is safe with these). The second path, which spilled r10 at
# r10 - 64, is pruned at the join (52 processed, not 88).
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
*(u8 *)(r10 - 60) = r6
goto j
b:
r1 = r10
*(u64 *)(r10 - 64) = r1
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
