# kernel: reject
# type: sched_cls
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_sk_fullsock
r0 = *(u32 *)(r0 + 4)
out:
r0 = 0
exit
