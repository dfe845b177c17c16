# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_sock access off=5 size=1
# family (at 4) may be narrowed only at its start.
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 12
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r7 = *(u8 *)(r0 + 5)
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
