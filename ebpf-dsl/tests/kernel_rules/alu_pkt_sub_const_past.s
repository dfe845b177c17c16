# kernel: reject
# kernel log: R4 offset is outside of the packet
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r4 -= 4
r0 = *(u64 *)(r4 + 0)
out:
r0 = 2
exit
