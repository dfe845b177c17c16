# kernel: accept
# type: xdp
# btf: vmlinux
# kernel log: bpf_cast_to_kern_ctx in XDP gives a struct xdp_buff; its data (a char *) reads as a number
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u64 *)(r0 + offsetof(struct xdp_buff, data))
r0 = 2
exit
