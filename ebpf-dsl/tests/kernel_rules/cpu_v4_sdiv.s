# kernel: accept
# since: 6.6
# kernel log: a -mcpu=v4 signed division; 6.1.192's check_alu_op refuses off != 0 ("BPF_ALU uses reserved fields"): needs 6.6 (CPU_V4)
r0 = *(u32 *)(r1 + 12)
r0 s/= 3
r0 = 2
exit
