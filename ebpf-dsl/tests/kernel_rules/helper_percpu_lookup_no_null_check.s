# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null' (no constant-key elision for bpf_map_lookup_percpu_elem)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = pc ll
r3 = 0
call bpf_map_lookup_percpu_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
