# kernel: reject
# target: 6.18
# kernel log: math between map_value pointer and register with unbounded min value is not allowed
r6 = r1
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r9 = *(u32 *)(r6 + 16)
if r9 > 63 goto out
r4 = r9
r4 -= -8
if r4 & 2147483584 goto pv1
if r4 s>= 64 goto pv1
r3 = r7
r3 += r4
r2 = r3
r2 += 3
if r2 > r8 goto pv1
r0 = *(u8 *)(r3 + 0)
r9 += r0
pv1:
if r9 s> 43 goto skip2
r4 = r9
*(u64 *)(r10 - 48) = r4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto mv3
r4 = *(u64 *)(r10 - 48)
if w4 == 7 goto mv3
if r4 & 2147483639 goto mv3
r0 += r4
r1 = *(u64 *)(r0 + 0)
r9 += r1
mv3:
skip2:
r0 = 2
exit
out:
r0 = 2
exit
