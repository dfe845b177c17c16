# kernel: reject
# type: sched_cls
# kernel log: (a helper writing over the dynptr)
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r1 = r10
r1 += -16
r2 = 8
r3 = r10
r3 += -16
r4 = 0
r5 = 0
call bpf_dynptr_read
r0 = 0
exit
