# kernel: accept
# since: 6.18
# after bpf_xdp_pull_data the packet pointers are read again from the context and checked
r6 = r1
r2 = 64
call bpf_xdp_pull_data
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit
