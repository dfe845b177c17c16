# kernel: accept
# since: 6.12
# A linked number (`r2 = r6`) spilled in 4 bytes, which it fits, then r6 bounded, then the
# spill filled: 6.12 refines the narrow spill with r6 (`sync_linked_regs`), 6.1.192's
# `find_equal_scalars` only 8-byte spills (`KernelVersion::NARROW_SPILL_SYNC`), so the fill is
# any u32 there and the access is refused.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 0)
r2 = r6
*(u32 *)(r10 - 16) = r2
if r6 > 10 goto out
r3 = *(u32 *)(r10 - 16)
r0 += r3
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
