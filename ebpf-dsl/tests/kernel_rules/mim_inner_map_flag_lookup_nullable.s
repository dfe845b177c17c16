# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null'
# A map of maps whose inner arrays are created with BPF_F_INNER_MAP (4096) may hold arrays of
# any size: a lookup with a constant key in one of them can still fail (the 6.14 rule that
# elides the NULL of an array lookup with a constant in-bounds key does not apply).
.map dyn array_of_maps key=4 value=4 max_entries=1 inner=array:4:8:8:4096
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dyn ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u32 *)(r10 - 8) = 4
r2 = r10
r2 += -8
r1 = r0
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
