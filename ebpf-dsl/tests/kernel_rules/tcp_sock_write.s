# kernel: reject
# type: sched_cls
# kernel log: cannot write into tcp_sock
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = 0
*(u32 *)(r0 + 0) = r1
out:
r0 = 0
exit
