# kernel: accept
# since: 6.14
# A map of maps whose inner arrays have a fixed size (no BPF_F_INNER_MAP): a lookup with a
# constant in-bounds key in the inner array cannot fail (6.14+), as in a plain array.
.map fix array_of_maps key=4 value=4 max_entries=1 inner=array:4:8:8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = fix ll
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
