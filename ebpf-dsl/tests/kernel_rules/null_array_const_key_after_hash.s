# kernel: accept
# since: 6.14
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
if r0 == 0 goto out
out:
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u32 *)(r0 + 0)
r0 = 2
exit
