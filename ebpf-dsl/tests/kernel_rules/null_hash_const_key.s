# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null'
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
