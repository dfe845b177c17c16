# kernel: reject
# kernel log: invalid bpf_context access off=20 size=4
# A plain XDP program may not read xdp_md.egress_ifindex.
r0 = *(u32 *)(r1 + 20)
r0 = 2
exit
