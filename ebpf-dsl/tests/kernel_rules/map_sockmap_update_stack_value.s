# kernel: reject
# kernel log: R3 type=fp expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_ (the value is the socket, not memory holding it)
*(u64 *)(r10 - 8) = 0
*(u32 *)(r10 - 12) = 0
r1 = sm ll
r2 = r10
r2 += -12
r3 = r10
r3 += -8
r4 = 0
call bpf_map_update_elem
r0 = 2
exit
