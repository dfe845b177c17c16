# kernel: reject
# kernel log: R2 offset is outside of the packet
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
if r2 < r3 goto ok
r0 = 2
exit
ok:
r0 = *(u8 *)(r2 + 0)
r0 = 2
exit
