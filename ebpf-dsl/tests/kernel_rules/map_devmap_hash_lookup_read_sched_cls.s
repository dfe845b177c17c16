# kernel: accept
# type: sched_cls
# note: the same for a devmap_hash, from a tc program
.map dm devmap_hash key=4 value=4 max_entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 0
exit
