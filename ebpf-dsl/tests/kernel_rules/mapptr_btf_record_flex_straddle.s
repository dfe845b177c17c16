# kernel: accept
# since: 6.18
# btf: vmlinux
# kernel log: (a u32 read at byte 2 of fields[0], over its `offset` and `size` members: 6.18 allows a read past the end of a member inside a flexible array's element)
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, record))
r0 = *(u32 *)(r2 + 34)
r0 = 0
exit
