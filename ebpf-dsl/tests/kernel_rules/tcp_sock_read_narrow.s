# kernel: reject
# type: sched_cls
# kernel log: invalid tcp_sock access off=0 size=2
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = *(u16 *)(r0 + 0)
out:
r0 = 0
exit
