# kernel: reject
# type: sched_cls
# kernel log: R0 invalid mem access 'tcp_sock_or_null'
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
r1 = *(u32 *)(r0 + 0)
out:
r0 = 0
exit
