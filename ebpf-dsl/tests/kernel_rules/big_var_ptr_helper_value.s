# kernel: reject
# kernel log: R3 unbounded memory access, make sure to bounds check any such access
# target: 6.18
# A map value pointer plus rx_queue_index (0..=0xffffffff) passed as bpf_map_update_elem's
# value: the helper's memory is unbounded.
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
r1 = m ll
r2 = r10
r2 += -4
r3 = r4
r4 = 0
call bpf_map_update_elem
out:
r0 = 0
exit
