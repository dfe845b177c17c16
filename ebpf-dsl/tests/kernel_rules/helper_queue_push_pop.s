# kernel: accept
*(u64 *)(r10 - 8) = 7
r2 = r10
r2 += -8
r1 = q ll
r3 = 0
call bpf_map_push_elem
r2 = r10
r2 += -16
r1 = q ll
call bpf_map_pop_elem
r0 = *(u64 *)(r10 - 16)
r2 = r10
r2 += -24
r1 = q ll
call bpf_map_peek_elem
r0 = 2
exit
