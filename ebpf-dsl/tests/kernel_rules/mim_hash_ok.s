# kernel: accept
# hash_of_maps `hm` (4-byte key) holds hashes with 8-byte keys and values.
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
r2 = r10
r2 += -4
r1 = hm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = r10
r2 += -16
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
