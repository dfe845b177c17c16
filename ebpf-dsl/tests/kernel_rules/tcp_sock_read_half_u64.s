# kernel: reject
# type: sched_cls
# kernel log: invalid tcp_sock access off=80 size=4
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 80)
out:
r0 = 0
exit
