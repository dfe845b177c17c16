# kernel: accept
# type: sched_cls
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
r7 = *(u32 *)(r0 + 48)
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
