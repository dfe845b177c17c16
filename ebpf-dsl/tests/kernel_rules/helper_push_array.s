# kernel: reject
# kernel log: cannot pass map_type 2 into func bpf_map_push_elem#87
*(u64 *)(r10 - 8) = 7
*(u64 *)(r10 - 16) = 7
r2 = r10
r2 += -16
r1 = m ll
r3 = 0
call bpf_map_push_elem
r0 = 2
exit
