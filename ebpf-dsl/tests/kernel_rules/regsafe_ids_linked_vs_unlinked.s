# kernel: reject
# kernel log: R9 unbounded memory access (the path where r6 and r7 are independent is not pruned by the one where they are linked)
r6 = *(u32 *)(r1 + 12)
r7 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
if r6 > r7 goto join
r6 = r7
join:
if r6 > 8 goto out
r9 += r7
r0 = *(u8 *)(r9 + 0)
out:
r0 = 2
exit
