# kernel: reject
# until: 6.6
# kernel log: R6 invalid mem access 'scalar'. The global function calls bpf_xdp_adjust_head
# (changes_pkt_data): its callers' packet pointers are invalid after a call of it.
.global_func f(ctx)
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r2 = r6
r2 += 1
if r2 > r7 goto out
call f
r0 = *(u8 *)(r6 + 0)
out:
r0 = 2
exit
f:
r2 = 0
call bpf_xdp_adjust_head
r0 = 0
exit
