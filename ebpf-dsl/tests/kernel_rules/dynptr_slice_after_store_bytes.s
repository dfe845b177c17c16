# kernel: reject
# type: sched_cls
# kernel log: R7 invalid mem access 'scalar'
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
*(u64 *)(r10 - 32) = 0
r1 = r6
r2 = 0
r3 = r10
r3 += -32
r4 = 4
r5 = 0
call bpf_skb_store_bytes
r0 = *(u8 *)(r7 + 0)
out:
r0 = 0
exit
