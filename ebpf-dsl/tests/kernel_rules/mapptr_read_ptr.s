# kernel: accept
# btf: vmlinux
# kernel log: ops is a pointer member read whole: a plain PTR_TO_BTF_ID of struct bpf_map_ops
r1 = m ll
r0 = *(u64 *)(r1 + offsetof(struct bpf_map, ops))
r0 = 0
exit
