# kernel: accept
# btf: vmlinux
# kernel log: (a privileged loader may pass the ops pointer where bpf_xdp_adjust_head takes ARG_ANYTHING)
r6 = r1
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, ops))
r1 = r6
call bpf_xdp_adjust_head
r0 = 0
exit
