# kernel: accept
# since: 6.6
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
r6 = r0
if r6 == 0 goto out
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
if r6 != r0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
