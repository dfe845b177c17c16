# kernel: reject
# kernel log: R0 min value is outside of the allowed memory range (the offset 100 of the
# second path reaches the callback from its second round on; the first path's rounds must
# not prune it: the loop's precision reaches the join)
call bpf_get_prandom_u32
r8 = r0
r9 = r0
if r8 > 100 goto skip1
r9 += 1
skip1:
if r8 > 200 goto skip2
r9 += 2
skip2:
r7 = 100
if r8 > 10 goto join
r7 = 0
r9 += 3
r9 += 4
join:
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = r7
r1 = 4
r2 = cb ll
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r6 = r2
r1 = *(u64 *)(r6 + 0)
if r1 == 0 goto first
r7 = *(u64 *)(r6 + 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
first:
r1 = 1
*(u64 *)(r6 + 0) = r1
r0 = 0
exit
