# kernel: reject
# kernel log: invalid access to map value, value_size=8 off=8 size=8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = mm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 8)
out:
r0 = 2
exit
