# kernel: reject
# btf: vmlinux
# kernel log: access beyond struct bpf_array at off 312 size 8 (the flexible arrays are in a union, not walked)
r1 = m ll
r0 = *(u64 *)(r1 + sizeof(struct bpf_array))
r0 = 0
exit
