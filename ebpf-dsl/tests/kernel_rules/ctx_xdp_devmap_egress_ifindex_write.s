# kernel: reject
# section: xdp/devmap
# A DEVMAP program reads egress_ifindex; it cannot write it (xdp_md is read-only).
r2 = 1
*(u32 *)(r1 + 20) = r2
r0 = 2
exit
