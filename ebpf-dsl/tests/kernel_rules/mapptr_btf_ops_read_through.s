# kernel: accept
# btf: vmlinux
# kernel log: (a function pointer of struct bpf_map_ops read through the plain ops pointer)
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, ops))
r0 = *(u64 *)(r2 + 0)
r0 = 0
exit
