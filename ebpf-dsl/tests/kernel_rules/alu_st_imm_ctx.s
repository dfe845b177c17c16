# kernel: reject
# kernel log: invalid bpf_context access off=0 size=4
*(u32 *)(r1 + 0) = 1
r0 = 2
exit
