# kernel: reject
# kernel log: cannot pass map_type 12 into func bpf_map_update_elem#2
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r1 = mm ll
r4 = 0
call bpf_map_update_elem
r0 = 2
exit
