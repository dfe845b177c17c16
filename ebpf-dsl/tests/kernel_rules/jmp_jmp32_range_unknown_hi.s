# kernel: reject
# kernel log: math between map_value pointer and register with unbounded min value is not allowed
r2 = *(u32 *)(r1 + 16)
r2 <<= 32
r3 = *(u32 *)(r1 + 16)
r2 |= r3
if w2 > 15 goto out
*(u32 *)(r10 - 4) = 0
r6 = r2
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
