# kernel: reject
# kernel log: R0 unbounded memory access, make sure to bounds check any such access
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r2 = r6
r2 += 4
r3 = r2
if r3 > 14 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
