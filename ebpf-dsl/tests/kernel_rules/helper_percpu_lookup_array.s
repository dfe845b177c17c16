# kernel: reject
# kernel log: cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
r3 = 0
call bpf_map_lookup_percpu_elem
r0 = 2
exit
