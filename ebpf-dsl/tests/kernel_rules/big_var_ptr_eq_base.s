# kernel: reject
# kernel log: R4 unbounded memory access, make sure to bounds check any such access
# target: 6.18
# A map value pointer plus rx_queue_index (0..=0xffffffff, the exactness walk accepts the
# addition) compared with the base pointer: neither branch is decided, and the load through
# it is unbounded on the fall-through.
r7 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r4 = r0
r4 += r7
if r4 == r9 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 0
exit
