# kernel: accept
# btf: vmlinux
# kernel log: (inner_map_meta: a plain struct bpf_map pointer, readable without a null check)
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, inner_map_meta))
r0 = *(u32 *)(r2 + offsetof(struct bpf_map, max_entries))
r0 = 0
exit
