# kernel: reject
# since: 6.14
# kernel log: R0 invalid mem access 'map_value_or_null'
# A non-zero constant stored by a 4-byte store at r10 - 4 (off its slot's start) is kept as
# plain bytes (STACK_MISC), not a spilled constant: the array lookup's key is no constant, so
# its result may be NULL (at r10 - 8, a spill of the key's size, it would be non-NULL).
.map a4 array key=4 value=8 max_entries=4
r1 = 1
*(u32 *)(r10 - 4) = w1
r2 = r10
r2 += -4
r1 = a4 ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
