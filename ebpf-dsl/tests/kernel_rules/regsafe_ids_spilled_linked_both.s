# kernel: accept
# The accepting twin of regsafe_ids_spilled_linked_vs_unlinked.s: both paths link the
# spilled copy of r7 to r6 (through different ids), so the bound on r6 reaches the fill.
r6 = *(u32 *)(r1 + 12)
r7 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
if r6 > r7 goto other
r6 = r7
*(u64 *)(r10 - 16) = r7
goto join
other:
r7 = r6
*(u64 *)(r10 - 16) = r7
join:
r7 = 0
if r6 > 8 goto out
r7 = *(u64 *)(r10 - 16)
r9 += r7
r0 = *(u8 *)(r9 + 0)
out:
r0 = 2
exit
