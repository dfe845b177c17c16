# kernel: accept
# btf: vmlinux
# kernel log: (struct bpf_array's own u32 elem_size, past struct bpf_map)
r1 = m ll
r0 = *(u32 *)(r1 + offsetof(struct bpf_array, elem_size))
r0 = 0
exit
