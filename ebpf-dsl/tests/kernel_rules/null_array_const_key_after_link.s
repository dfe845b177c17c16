# kernel: accept
# since: 6.14
# note: a register copy (a scalar link id) before the lookup does not matter
call bpf_get_prandom_u32
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u32 *)(r0 + 0)
r0 = 2
exit
