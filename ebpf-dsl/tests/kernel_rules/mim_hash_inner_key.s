# kernel: reject
# kernel log: invalid read from stack (the inner hash map `hm` holds takes an 8-byte key; 4 are written)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = hm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem
out:
r0 = 2
exit
