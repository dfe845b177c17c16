# kernel: reject
# kernel log: read from map forbidden
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = wo ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r2 = r0
r1 = m ll
call bpf_map_lookup_elem
out:
r0 = 0
exit
