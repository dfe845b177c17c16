# kernel: reject
# type: sched_cls
# kernel log: R1 must be referenced when passed to release function
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_skc_to_tcp_sock
if r0 == 0 goto out
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
