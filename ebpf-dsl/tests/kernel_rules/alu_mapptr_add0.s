# kernel: accept
r1 = m ll
r1 += 0
r2 = r10
r2 += -4
*(u32 *)(r10 - 4) = 0
call bpf_map_lookup_elem
r0 = 0
exit
