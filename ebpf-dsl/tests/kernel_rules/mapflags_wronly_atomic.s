# kernel: reject
# kernel log: read from map forbidden
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = wo ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 + 0) += r1
out:
r0 = 0
exit
