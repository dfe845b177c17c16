# kernel: accept
# since: 6.18
# kernel log: 6.12 marks every BPF_END result unknown (check_alu_op), 6.18 truncates (scalar_byte_swap)
call bpf_get_prandom_u32
r0 <<= 20
r0 = le16 r0
if r0 > 0xffff goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
