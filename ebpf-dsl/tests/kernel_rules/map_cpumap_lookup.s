# kernel: reject
# kernel log: cannot pass map_type 16 into func bpf_map_lookup_elem#1
.map dm cpumap key=4 value=4 max_entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 2
exit
