# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
r9 = r1
r6 = *(u32 *)(r9 + 12)
r7 = *(u32 *)(r9 + 12)
r7 &= 63
r8 = *(u32 *)(r9 + 12)
r8 &= 4095
r8 = r6
r4 = r8
w7 ^= 16
*(u32 *)(r10 - 8) = r6
if r4 <= -4 goto l0
r0 = 0
exit
l0:
r2 = *(u32 *)(r10 - 24)
if r8 & r8 goto l1
r0 = 0
exit
l1:
if r4 == 65280 goto l2
r0 = 0
exit
l2:
r3 = (s8)r6
w7 *= 9
r3 = (s32)r6
if w8 s< -1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
