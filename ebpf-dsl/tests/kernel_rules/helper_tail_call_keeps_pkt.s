# kernel: accept
# since: 6.18
# type: sched_cls
# kernel log: (6.18 keeps the packet pointers of the main program across a tail call that fails; sched_cls because `pa` belongs to the first program type that uses it)
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r2 = r6
r2 += 14
if r2 > r7 goto out
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = *(u8 *)(r6 + 0)
out:
r0 = 0
exit
