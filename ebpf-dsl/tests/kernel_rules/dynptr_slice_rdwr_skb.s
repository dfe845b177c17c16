# kernel: reject
# until: 6.18
# type: sched_cls
# kernel log: bpf_dynptr_slice_rdwr() is not allowed
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice_rdwr
r0 = 0
exit
