# kernel: reject
# type: sched_cls
# kernel log: (bpf_skb_pull_data invalidates the slice)
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
call bpf_dynptr_slice
if r0 == 0 goto out
r7 = r0
r1 = r6
r2 = 0
call bpf_skb_pull_data
r1 = *(u8 *)(r7 + 0)
out:
r0 = 0
exit
