# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null'
# An array created with BPF_F_INNER_MAP (4096), even a top-level one: the kernel does not
# elide the NULL of a lookup with a constant in-bounds key (the 6.14 rule) in a map with that
# flag, whose size it does not take as fixed.
.map arr array key=4 value=8 max_entries=8 flags=4096
*(u32 *)(r10 - 8) = 4
r2 = r10
r2 += -8
r1 = arr ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
