# kernel: reject
# btf: vmlinux
# kernel log: only read is supported
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, ops))
r3 = 0
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
