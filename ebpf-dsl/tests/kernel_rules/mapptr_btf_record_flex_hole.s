# kernel: reject
# btf: vmlinux
# kernel log: struct btf_field doesn't have field at offset 12
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, record))
r0 = *(u64 *)(r2 + 44)
r0 = 0
exit
