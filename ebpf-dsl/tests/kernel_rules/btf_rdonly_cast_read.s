# kernel: accept
# type: sched_cls
# btf: vmlinux
# kernel log: bpf_rdonly_cast of skb->sk to struct sock_common (id 3776 in this 6.18 build): untrusted, readable
r1 = *(u64 *)(r1 + 168)
r2 = 3776
call bpf_rdonly_cast
r2 = *(u16 *)(r0 + 16)
r0 = 0
exit
