# kernel: reject
# kernel log: (variable ctx access as a helper's context argument)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r2 = 0
call bpf_xdp_adjust_head
r0 = 2
exit
