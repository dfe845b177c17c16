# kernel: accept
# kernel log: processed 87 insns (limit 1000000) max_states_per_insn 1 total_states 2
# A 0 stored off a slot's start is written as known zeros, and the kernel makes the
# register precise there and then (`check_stack_write_fixed_off`: `mark_chain_precision`
# before `STACK_ZERO`), whether or not the zeros are read later: r8 (0 on the first path, 5
# on the second) is precise at the join, and the second path is walked again (87
# processed; a verifier that marks it only when the zeros are read prunes it: 51).
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
r8 = 0
goto j
b:
r8 = 5
j:
r3 = 0
r4 = 0
r5 = 0
if r9 == 1 goto end
*(u32 *)(r10 - 60) = r8
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
