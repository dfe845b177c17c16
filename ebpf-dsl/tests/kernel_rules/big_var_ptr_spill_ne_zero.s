# kernel: reject
# kernel log: R4 unbounded memory access, make sure to bounds check any such access
# target: 6.18
# A map value pointer plus rx_queue_index (0..=0xffffffff) spilled and filled, then compared
# with 0: not known non-NULL (jmp_ptr_big_var_ne_zero.s), the == 0 branch's load is unbounded.
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
*(u64 *)(r10 - 16) = r4
r4 = *(u64 *)(r10 - 16)
if r4 != 0 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 0
exit
