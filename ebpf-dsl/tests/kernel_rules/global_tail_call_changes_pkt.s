# kernel: reject
# until: 6.6
# type: sched_cls
# kernel log: R6 invalid mem access 'scalar'. The global function calls bpf_tail_call, which
# is in bpf_helper_changes_pkt_data (the tail-called program may change the packet): its
# callers' packet pointers are invalid after a call of it.
.global_func f(ctx)
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r2 = r6
r2 += 14
if r2 > r7 goto out
call f
r0 = *(u8 *)(r6 + 0)
out:
r0 = 0
exit
f:
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = 0
exit
