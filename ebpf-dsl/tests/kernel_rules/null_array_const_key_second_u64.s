# kernel: accept
# since: 6.14
# kernel log: every constant-key array lookup is non-NULL, not only the first
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r6 = r0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
