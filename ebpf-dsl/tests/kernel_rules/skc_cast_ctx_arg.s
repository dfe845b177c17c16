# kernel: reject
# type: sched_cls
# kernel log: R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_
call bpf_skc_to_tcp_sock
r0 = 0
exit
