# kernel: accept
# type: sched_cls
# kernel log: (the helper gives NULL for an skb dynptr at run time; the kernel verifies the other path)
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r1 = r10
r1 += -16
r2 = 0
r3 = 4
call bpf_dynptr_data
if r0 == 0 goto out
r1 = 1
*(u32 *)(r0 + 0) = r1
out:
r0 = 0
exit
