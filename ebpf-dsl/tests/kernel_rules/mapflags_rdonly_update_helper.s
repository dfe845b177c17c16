# kernel: reject
# kernel log: write into map forbidden
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 16) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -24
r1 = ro ll
r4 = 0
call bpf_map_update_elem
r0 = 0
exit
