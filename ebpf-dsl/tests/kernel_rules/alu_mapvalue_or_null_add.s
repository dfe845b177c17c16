# kernel: accept
# ours: reject
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 += 0
r0 = 0
exit
