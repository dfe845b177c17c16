# kernel: reject
# kernel log: R4 min value is outside of the allowed memory range
# target: 6.18
# A map value pointer plus `rx_queue_index` (0..=0xffffffff, exactly the kernel's bounds: the
# exactness walk accepts the addition) compared with 0: 6.18 does not take such a pointer as
# known non-NULL and walks the `== 0` branch, whose store is out of the value (found by the
# pointer fuzz's default seed once the exactness walk accepted the addition).
r7 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r4 = r0
r4 += r7
if r4 != 0 goto out
r4 += 63
*(u16 *)(r4 + 0) = 0
out:
r0 = 0
exit
