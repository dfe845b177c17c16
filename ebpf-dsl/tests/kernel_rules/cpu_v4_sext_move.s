# kernel: accept
# since: 6.6
# kernel log: a -mcpu=v4 sign-extending move; 6.1.192's check_alu_op refuses BPF_MOV with off != 0 ("BPF_MOV uses reserved fields"): needs 6.6 (CPU_V4)
r0 = *(u32 *)(r1 + 12)
r0 = (s8)r0
r0 = 2
exit
