# kernel: reject
# type: sched_cls
# kernel log: value 4294967258 makes pkt pointer be out of bounds
r6 = r1
r7 = *(u32 *)(r6 + 76)
r8 = *(u32 *)(r6 + 80)
r9 = *(u32 *)(r6 + 0)
if r9 > 1500 goto out
r4 = 107
if r4 s> 63 goto pv1
if r4 s>= 64 goto pv1
r3 = r7
r3 += r4
r2 = r3
r2 += 4
if r2 > r8 goto pv1
r0 = *(u8 *)(r3 + 3)
r9 += r0
pv1:
r9 -= 541
r4 = r7
r4 += 14
if r4 <= r8 goto out
r4 = r9
r4 &= 7
r3 = r7
r3 += r4
r2 = r3
r2 += 4
if r2 > r8 goto out
r0 = *(u32 *)(r3 + 0)
r9 += r0
r9 s>>= 35
w9 -= 677
w9 |= 642
r4 = r7
r4 += 14
if r4 > r8 goto out
r4 = r9
r4 &= 63
r3 = r7
r3 += r4
r2 = r3
r2 += 4
if r2 > r8 goto out
r0 = *(u32 *)(r3 + 0)
r9 += r0
r1 = r9
r2 = r10
r2 += -32
call func2
r9 = r0
*(u32 *)(r10 - 16) = 13
r0 = *(u32 *)(r10 - 16)
r9 += r0
r0 = 7
exit
out:
r0 = 2
exit
func2:
*(u64 *)(r2 + 0) = r1
r0 = *(u64 *)(r2 + 0)
r0 += r3
exit
