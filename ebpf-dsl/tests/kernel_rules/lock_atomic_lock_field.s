# kernel: reject
# kernel log: bpf_spin_lock cannot be accessed directly by load/store
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = 1
lock *(u32 *)(r6 + 4) += w1
out:
r0 = 2
exit
