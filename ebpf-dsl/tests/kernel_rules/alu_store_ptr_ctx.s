# kernel: reject
# kernel log: invalid bpf_context access off=0 size=4
*(u32 *)(r1 + 0) = w10
r0 = 0
exit
