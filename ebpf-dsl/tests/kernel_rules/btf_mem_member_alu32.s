# kernel: reject
# type: sched_cls
# btf: vmlinux
# target: 6.18
# kernel log: 32-bit pointer arithmetic prohibited (w2 &= 7 on rdonly_untrusted_mem)
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, data))
w2 &= 7
r0 = 0
exit
