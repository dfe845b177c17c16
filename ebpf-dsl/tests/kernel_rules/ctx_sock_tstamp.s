# kernel: reject
# type: socket_filter
# kernel log: invalid bpf_context access off=152 size=8
r0 = *(u64 *)(r1 + 152)
r0 = 0
exit
