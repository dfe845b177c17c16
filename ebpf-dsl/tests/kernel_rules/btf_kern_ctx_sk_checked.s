# kernel: accept
# type: sched_cls
# btf: vmlinux
# kernel log: sk_buff->sk null-checked, then read
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, sk))
if r2 == 0 goto out
r3 = *(u32 *)(r2 + 0)
out:
r0 = 0
exit
