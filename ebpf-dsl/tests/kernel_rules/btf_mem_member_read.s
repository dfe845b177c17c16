# kernel: accept
# type: sched_cls
# btf: vmlinux
# target: 6.18
# kernel log: sk_buff->data (unsigned char *, at 200) is rdonly_untrusted_mem(sz=0): read at any offset, any 64-bit arithmetic with a number keeps it
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct sk_buff, data))
r3 = *(u8 *)(r2 + 0)
r3 = *(u32 *)(r2 - 8)
r4 = *(u32 *)(r6 + 0)
r2 += r4
r2 &= 0xfff
r3 = *(u64 *)(r2 + 100)
r0 = 0
exit
