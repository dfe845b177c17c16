# kernel: reject
# type: socket_filter
# kernel log: invalid bpf_context access off=78 size=2
r0 = *(u16 *)(r1 + 78)
r0 = 0
exit
