# kernel: reject
# type: sched_cls
# kernel log: R3 type=sock_common_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_
r6 = *(u64 *)(r1 + 168)
*(u32 *)(r10 - 4) = 0
r1 = sm ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
r0 = 0
exit
