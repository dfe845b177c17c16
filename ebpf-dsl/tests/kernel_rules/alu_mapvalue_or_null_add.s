# kernel: accept
# since: 6.14
# kernel log: (6.14+: an array lookup with a constant in-bounds key is not NULL, so `r0 += 0` is arithmetic on a map value)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 += 0
r0 = 0
exit
