# kernel: accept
# btf: vmlinux
# kernel log: (struct bpf_htab's u32 n_buckets)
r1 = h ll
r0 = *(u32 *)(r1 + offsetof(struct bpf_htab, n_buckets))
r0 = 0
exit
