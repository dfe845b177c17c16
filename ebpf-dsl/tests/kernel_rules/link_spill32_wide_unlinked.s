# kernel: reject
# kernel log: math between map_value pointer and register with unbounded min value is not allowed
# A linked number that does not fit in 4 bytes spilled and filled in 4: the link is broken
# (`fls64(umax)` past the store, 6.1.192 and 6.12 alike), so bounding the fill leaves r6 unbounded.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)
r2 = r6
*(u32 *)(r10 - 16) = r2
r3 = *(u32 *)(r10 - 16)
if r3 > 10 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
