# kernel: accept
# since: 6.6
# kernel log: equal to a stack pointer, the lookup is not NULL (6.18 marks it so)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r2 = r10
if r0 != r2 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
