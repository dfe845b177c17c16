# kernel: accept
# kernel log: processed 56 insns (limit 1000000) max_states_per_insn 0 total_states 2
# An old 2-byte spill of a number whose value mattered (the fill after the join is a
# variable stack offset) covers a new 8-byte spill of a number within its bounds: `stacksafe`
# compares byte by byte (the old spilled bytes are spilled in the new slot, the old unknown
# ones are skipped) and then the spilled registers (`regsafe`). The second path is pruned at
# the join (56 processed, where a verifier comparing only spills of one size walks it: 97).
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
*(u64 *)(r10 - 64) = r7
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
