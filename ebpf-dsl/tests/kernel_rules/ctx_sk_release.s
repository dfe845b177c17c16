# kernel: reject
# type: sched_cls
# kernel log: R1 must be referenced when passed to release function
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r1 = r2
call bpf_sk_release
out:
r0 = 0
exit
