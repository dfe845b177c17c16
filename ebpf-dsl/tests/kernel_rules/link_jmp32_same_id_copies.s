# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 &= 63
r7 = *(u32 *)(r9 + 12)
r7 &= 255
r8 = *(u32 *)(r9 + 12)
r8 &= 15
r3 = r7
r5 = (s32)r7
w6 = w5
if r3 != 65280 goto l0
r0 = 0
exit
l0:
if w5 s> w3 goto l1
r0 = 0
exit
l1:
if r6 s> -4 goto l2
r0 = 0
exit
l2:
r8 <<= 56
r3 = r6
r6 -= 3
*(u16 *)(r10 - 12) = r7
if r5 == 1 goto l3
r0 = 0
exit
l3:
if w7 s> 7 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
