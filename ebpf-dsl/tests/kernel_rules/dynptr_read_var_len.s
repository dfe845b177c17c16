# kernel: accept
# type: sched_cls
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r2 = *(u32 *)(r6 + 0)
r2 &= 7
r1 = r10
r1 += -32
r3 = r10
r3 += -16
r4 = 0
r5 = 0
call bpf_dynptr_read
r0 = 0
exit
