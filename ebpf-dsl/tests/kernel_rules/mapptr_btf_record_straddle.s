# kernel: reject
# btf: vmlinux
# kernel log: access beyond the end of member cnt (mend:4) in struct btf_record with off 2 size 4
r1 = m ll
r2 = *(u64 *)(r1 + offsetof(struct bpf_map, record))
r0 = *(u32 *)(r2 + 2)
r0 = 0
exit
