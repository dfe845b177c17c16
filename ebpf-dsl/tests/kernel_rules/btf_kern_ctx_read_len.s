# kernel: accept
# type: sched_cls
# btf: vmlinux
# kernel log: bpf_cast_to_kern_ctx gives a trusted struct sk_buff; len (u32 at 112) is a number
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u32 *)(r0 + offsetof(struct sk_buff, len))
r0 = 0
exit
