# kernel: accept
# since: 6.6
# kernel log: a -mcpu=v4 sign-extending load (BPF_MEMSX); 6.1.192 checks every BPF_LDX for BPF_MEM before the walk ("BPF_LDX uses reserved fields"), reached or not: needs 6.6 (CPU_V4)
*(u64 *)(r10 - 8) = 0
r0 = *(s8 *)(r10 - 8)
r0 = 2
exit
