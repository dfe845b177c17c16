# kernel: reject
# type: sched_cls
# kernel log: Unreleased reference id=2 alloc_insn=9 / bpf_throw would lead to reference leak
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
r1 = 7
call bpf_throw
out:
r0 = 0
exit
