# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: only read is supported (bpf_cast_to_kern_ctx gives a read-only view of the sk_buff)
r6 = r1
call bpf_cast_to_kern_ctx
r2 = 0
*(u32 *)(r0 + offsetof(struct sk_buff, len)) = r2
r0 = 0
exit
