# kernel: reject
# kernel log: calling kernel function bpf_dynptr_from_skb is not allowed
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r0 = 2
exit
