# kernel: accept
# type: sched_cls
# btf: vmlinux
# kernel log: bpf_rdonly_cast of skb->sk to struct sock_common (btf_id(struct sock_common)): untrusted, readable
r1 = *(u64 *)(r1 + 168)
r2 = btf_id(struct sock_common)
call bpf_rdonly_cast
r2 = *(u16 *)(r0 + offsetof(struct sock_common, skc_family))
r0 = 0
exit
