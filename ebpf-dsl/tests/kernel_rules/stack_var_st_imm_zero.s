# kernel: accept
# since: 6.3
# An immediate 0 stored at a variable offset into known-zero stack bytes keeps them zeros (check_stack_write_var_off: writing_zero for a BPF_ST of 0, upstream 6.3 "bpf: BPF_ST with variable offset should preserve STACK_ZERO marks", in 6.6.47 and 6.12.118); 6.1.192 takes only a register holding 0 for a zero (its writing_zero has no BPF_ST case), so the bytes are unknown and the load through the number is walked: refused (ST_VAR_ZERO; before it, the 6.1 target accepted: a false accept)
*(u32 *)(r10 - 4) = 0
call bpf_get_prandom_u32
r0 &= 3
r1 = r10
r1 += -4
r1 += r0
*(u8 *)(r1 + 0) = 0
r6 = *(u32 *)(r10 - 4)
if r6 == 0 goto ok
r0 = 7
r0 = *(u64 *)(r0 + 0)
ok:
r0 = 0
exit
