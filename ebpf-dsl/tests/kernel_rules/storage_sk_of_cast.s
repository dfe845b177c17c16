# kernel: accept
# type: sched_cls
# kernel log: the socket may come from a bpf_skc_to_* cast
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
call bpf_skc_to_tcp_sock
if r0 == 0 goto out
r2 = r0
r1 = sk ll
call bpf_sk_storage_delete
out:
r0 = 0
exit
