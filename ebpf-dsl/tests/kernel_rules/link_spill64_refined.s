# kernel: accept
# As `link_spill32_narrow_not_refined` with an 8-byte spill: every kernel refines the spilled
# copy with r6 (6.1.192's `find_equal_scalars` sees 8-byte spills).
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 0)
r2 = r6
*(u64 *)(r10 - 16) = r2
if r6 > 10 goto out
r3 = *(u64 *)(r10 - 16)
r0 += r3
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
