# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: sk_buff->sk is __safe_rcu_or_null: R2 invalid mem access rcu_ptr_or_null_
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, sk))
r3 = *(u32 *)(r2 + 0)
r0 = 0
exit
