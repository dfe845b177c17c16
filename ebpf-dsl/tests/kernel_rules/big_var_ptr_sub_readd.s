# kernel: accept
# target: 6.18
# A map value pointer plus rx_queue_index (0..=0xffffffff) minus the base pointer is a
# number; bounded by a comparison and added back to the base, the load is in the value.
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
r4 -= r9
if r4 > 8 goto out
r9 += r4
r0 = *(u8 *)(r9 + 0)
out:
r0 = 0
exit
