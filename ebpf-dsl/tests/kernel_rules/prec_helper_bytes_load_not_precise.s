# kernel: accept
# kernel log: processed 37 insns (limit 1000000) max_states_per_insn 0 total_states 3
# A helper writes unknown bytes over a slot holding a 1-byte spill of r8 (1 or 2 at the join
# j); a byte loaded back from those bytes is an unknown number whatever the slot held: the
# kernel's `check_stack_read_fixed_off` records no stack access for such a load and
# `backtrack_insn` stops there, so the decided `if r1 > 255` does not make r8 precise at j and
# the second path is pruned there (37 processed; carrying the slot's older sources to r1
# marked r8 precise: 47).
r9 = r1
call bpf_get_prandom_u32
r6 = r0
r1 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
if r6 > 10 goto b
r8 = 1
goto j
b:
r8 = 2
j:
*(u8 *)(r10 - 8) = r8
r1 = r9
r2 = 0
r3 = r10
r3 += -8
r4 = 2
call bpf_xdp_load_bytes
if r0 != 0 goto out
r1 = *(u8 *)(r10 - 7)
if r1 > 255 goto out
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
out:
r0 = 2
exit
