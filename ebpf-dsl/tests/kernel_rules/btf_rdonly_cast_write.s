# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: only read is supported (untrusted pointer)
r1 = *(u64 *)(r1 + 168)
r2 = btf_id(struct sock_common)
call bpf_rdonly_cast
r2 = 0
*(u16 *)(r0 + offsetof(struct sock_common, skc_family)) = r2
r0 = 0
exit
