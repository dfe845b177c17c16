# kernel: accept
# section: xdp/devmap
# An XDP program for a DEVMAP entry (expected_attach_type BPF_XDP_DEVMAP) reads
# xdp_md.egress_ifindex (xdp_is_valid_access).
r0 = *(u32 *)(r1 + 20)
r0 = 2
exit
