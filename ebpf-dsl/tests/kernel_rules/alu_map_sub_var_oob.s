# kernel: reject
# kernel log: R0 min value is negative, either use unsigned index or do a if (index >=0) check.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u8 *)(r0 + 0)
r1 &= 15
r0 += 8
r0 -= r1
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
