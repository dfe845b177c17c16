# kernel: accept
# type: sched_cls
# btf: vmlinux
# target: 6.18
# kernel log: data - head (two rdonly_untrusted_mem, 32-bit) is a number, as in decap_sanity
r6 = r1
call bpf_cast_to_kern_ctx
r1 = *(u64 *)(r0 + offsetof(struct sk_buff, data))
r3 = *(u64 *)(r0 + offsetof(struct sk_buff, head))
w3 -= w1
if w3 > 5 goto out
r0 = r3
exit
out:
r0 = 0
exit
