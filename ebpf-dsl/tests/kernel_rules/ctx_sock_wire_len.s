# kernel: reject
# type: socket_filter
# kernel log: invalid bpf_context access off=160 size=4
r0 = *(u32 *)(r1 + 160)
r0 = 0
exit
