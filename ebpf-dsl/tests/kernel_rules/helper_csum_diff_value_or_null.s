# kernel: accept
# kernel log: bpf_csum_diff's ARG_PTR_TO_MEM | PTR_MAYBE_NULL takes a lookup result not yet null-checked
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r1 = r0
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 2
exit
