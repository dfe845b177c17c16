# Reduced from xdp-tools xdp-bench xdp_redirect_devmap_multi.bpf.c (xdp_devmap_prog, section
# `xdp/devmap`): a program for a devmap entry reads xdp_md.egress_ifindex.
# Kernel 6.18: accept when loaded as libbpf loads section `xdp/devmap`, with
# expected_attach_type = BPF_XDP_DEVMAP (reject without it: "invalid bpf_context access").
# ebpf-dsl check: reject, "struct xdp_md.egress_ifindex is only readable by programs attached
# to a devmap" [context access]: neither ProgramSpec, the ELF reader, the text syntax nor the
# verifier carry the expected attach type, so `xdp/devmap` (and `xdp/cpumap`) programs are
# checked as plain XDP programs.
    r0 = *(u32 *)(r1 + 20)
    r0 = 2
    exit
