# kernel: reject
# kernel log: write into map forbidden, value_size=4 off=0 size=4
.map dm devmap key=4 value=4 max_entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u32 *)(r0 + 0) = 1
out:
r0 = 2
exit
