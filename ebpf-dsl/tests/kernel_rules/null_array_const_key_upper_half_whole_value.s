# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null'
# The key's bytes (the upper half of 0x100000000 spilled) are 1, in bounds of the 8 entries,
# but the kernel takes the whole spilled register, 0x100000000, for the key: out of bounds,
# so the lookup may fail.
.map arr array key=4 value=8 max_entries=8
r1 = 0x100000000 ll
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -4
r1 = arr ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
