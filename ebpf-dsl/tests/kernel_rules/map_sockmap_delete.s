# kernel: accept
# note: xdp, tc and socket filter programs may delete an entry of a sockmap (may_update_sockmap in check_map_func_compatibility)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_delete_elem
r0 = 2
exit
