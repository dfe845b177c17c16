# kernel: reject
# type: sched_cls
# kernel log: R1 type=sock_common_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_
r1 = *(u64 *)(r1 + 168)
call bpf_sk_fullsock
r0 = 0
exit
