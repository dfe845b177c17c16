# kernel: accept
# kernel log: processed 97 insns (limit 1000000) max_states_per_insn 1 total_states 2
# An old 4-byte spill does not cover a new 2-byte one: its bytes 2 and 3 are spilled bytes,
# unknown in the new slot (`stacksafe`: the slot types differ). The second path is walked
# again after the join (97 processed).
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
*(u32 *)(r10 - 64) = r6
goto j
b:
*(u16 *)(r10 - 64) = r7
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
