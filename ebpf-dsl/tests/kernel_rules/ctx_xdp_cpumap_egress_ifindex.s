# kernel: reject
# section: xdp/cpumap
# Nor may a CPUMAP program (BPF_XDP_CPUMAP): egress_ifindex is for DEVMAP programs only.
r0 = *(u32 *)(r1 + 20)
r0 = 2
exit
