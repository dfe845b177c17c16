# kernel: reject
# type: sched_cls
# btf: vmlinux
# target: 6.18
# kernel log: R2 cannot write into rdonly_untrusted_mem
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, data))
r3 = 0
*(u8 *)(r2 + 0) = r3
r0 = 0
exit
