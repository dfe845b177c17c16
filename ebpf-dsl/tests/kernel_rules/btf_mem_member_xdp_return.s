# kernel: accept
# type: xdp
# btf: vmlinux
# target: 6.18
# kernel log: xdp_buff->data & 3 returned: the kernel takes it (6.18)
r6 = r1
call bpf_cast_to_kern_ctx
r0 = *(u64 *)(r0 + offsetof(struct xdp_buff, data))
r0 &= 3
exit
