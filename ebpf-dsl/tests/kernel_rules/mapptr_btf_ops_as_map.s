# kernel: reject
# btf: vmlinux
# kernel log: (the ops pointer is no map for bpf_map_lookup_elem)
r1 = m ll
r1 = *(u64 *)(r1 + offsetof(struct bpf_map, ops))
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
call bpf_map_lookup_elem
r0 = 0
exit
