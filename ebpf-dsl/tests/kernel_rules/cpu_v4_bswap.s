# kernel: accept
# since: 6.6
# kernel log: a -mcpu=v4 unconditional byte swap (BPF_ALU64 | BPF_END); 6.1.192 refuses BPF_END in ALU64 ("BPF_END uses reserved fields"): needs 6.6 (CPU_V4)
r0 = *(u32 *)(r1 + 12)
r0 = bswap32 r0
r0 = 2
exit
