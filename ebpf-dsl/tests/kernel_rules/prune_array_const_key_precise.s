# kernel: reject
# since: 6.14
# kernel log: R0 invalid mem access 'map_value_or_null'
# A constant key spilled at a slot's start with a store of the key's size decides whether an
# array lookup may fail (key 1 is in bounds, key 5 is not): the kernel marks it precise
# (`get_constant_map_key`), so the path with key 5, explored second, is not pruned by the
# checkpoint the one with key 1 left after the join, and its unchecked NULL is found.
.map a4 array key=4 value=8 max_entries=4
call bpf_get_prandom_u32
r6 = r0
r7 = 5
if r6 == 0 goto join
r7 = 1
join:
r8 = r6
r8 &= 1
if r8 == 0 goto next
r6 += 1
next:
*(u32 *)(r10 - 8) = w7
r2 = r10
r2 += -8
r1 = a4 ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
