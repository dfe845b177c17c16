# kernel: reject
# kernel log: invalid zero-sized read
# A bloom filter has no keys to look up: its 0-byte key is refused first (the kernel's
# check of the key argument; bpf_map_lookup_elem is not for bloom filters either).
.map bf bloom_filter key=0 value=8 max_entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = bf ll
call bpf_map_lookup_elem
r0 = 2
exit
