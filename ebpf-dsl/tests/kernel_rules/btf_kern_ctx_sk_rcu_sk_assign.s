# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: a null-checked sk_buff->sk is rcu_ptr_: not among the types ARG_PTR_TO_BTF_ID_SOCK_COMMON takes
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, sk))
if r2 == 0 goto out
r1 = r6
r3 = 0
call bpf_sk_assign
out:
r0 = 0
exit
