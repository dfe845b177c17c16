# kernel: reject
# kernel log: R2 offset is outside of the packet
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 < r3 goto ok
r0 = 2
exit
ok:
r0 = *(u16 *)(r2 + 8)
r0 = 2
exit
