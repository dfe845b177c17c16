# kernel: accept
# type: sched_cls
# kernel log: __sk_buff.sk (null-checked) may be cast
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_skc_to_tcp_sock
out:
r0 = 0
exit
