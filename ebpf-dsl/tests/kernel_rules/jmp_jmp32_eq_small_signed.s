# kernel: accept
# since: 6.12
# type: sched_cls
r6 = r1
r7 = *(u32 *)(r6 + 76)
r8 = *(u32 *)(r6 + 80)
r9 = *(u32 *)(r6 + 0)
if r9 > 1500 goto out
r4 = r7
r4 += 34
if r4 > r8 goto out
r4 = *(s16 *)(r7 + 2)
r4 = (s8)r4
r4 -= 2
*(u64 *)(r10 - 48) = r4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto mv1
r4 = *(u64 *)(r10 - 48)
if w4 != 9 goto mv1
r0 += r4
r1 = *(u32 *)(r0 + 0)
r9 += r1
mv1:
r2 = *(u64 *)(r7 + 25)
r1 = *(u32 *)(r7 + 25)
r0 = *(u16 *)(r10 - 8)
r9 |= r0
r0 = 2
exit
out:
r0 = 2
exit

