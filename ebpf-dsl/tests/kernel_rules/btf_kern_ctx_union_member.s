# kernel: accept
# type: sched_cls
# btf: vmlinux
# kernel log: sk_buff->dev (at 16, inside the leading union of several members) is an untrusted pointer, read without a null check
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, dev))
r3 = *(u32 *)(r2 + 0)
r0 = 0
exit
