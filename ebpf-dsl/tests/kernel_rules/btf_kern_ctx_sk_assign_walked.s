# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: the walked sk_buff->sk is rcu_ptr_or_null_: not a socket bpf_sk_assign takes before its null check
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, sk))
r1 = r6
r3 = 0
call bpf_sk_assign
r0 = 0
exit
