# kernel: accept
# since: 6.18
# kernel log: r2 = r1 + 8 linked; after `if r1 s> 7` (r1 in -8..=7, unsigned any) sync_linked_regs gives r2 r1's bounds plus 8: the unsigned sum overflows for part of the range (0..=u64::MAX), the signed one is 0..=15; 6.18.44 then syncs (reg_bounds_sync: unsigned 0..=15) and never takes `if r2 > 15`; 6.12.118's source does not sync there, so it walks to the scalar load and refuses (verified for 6.17 as refused: LINK_SUM_SYNC)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = *(u64 *)(r6 + 0)
r2 = r1
r2 += 8
if r1 s< -8 goto out
if r1 s> 7 goto out
if r2 > 15 goto bad
r0 = 0
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 0
exit
