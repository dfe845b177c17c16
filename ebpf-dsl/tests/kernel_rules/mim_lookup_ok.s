# kernel: accept
# A lookup in a map of maps (`mm`) gives an inner map (after the null check), the map
# argument of a lookup in it (inner: array, 4-byte key, 8-byte value).
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
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
out:
r0 = 2
exit
