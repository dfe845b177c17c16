# kernel: reject
# note: a helper writing into a devmap value (bpf_xdp_load_bytes' buffer) is a write into a read-only map
.map dm devmap key=4 value=4 max_entries=4
r6 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r6
r2 = 0
r3 = r0
r4 = 4
call bpf_xdp_load_bytes
out:
r0 = 2
exit
