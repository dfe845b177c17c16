# kernel: reject
# kernel log: R1 type=map_value_or_null expected=map_ptr
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = mm ll
call bpf_map_lookup_elem
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem
r0 = 2
exit
