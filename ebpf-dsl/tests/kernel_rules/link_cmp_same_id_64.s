# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
r9 = r1
r6 = *(u32 *)(r9 + 12)
r7 = *(u32 *)(r9 + 16)
r8 = *(u32 *)(r9 + 12)
r8 &= 63
w3 = w7
r4 = (s32)r3
r6 = r3
r3 = r6
r8 = r3
r5 = (s8)r8
if r6 >= r8 goto l0
r0 = 0
exit
l0:
w8 <<= 18
if w3 > 0 goto l1
r0 = 0
exit
l1:
r6 = (s8)r7
if w7 s<= -8 goto l2
r0 = 0
exit
l2:
if w3 != -4 goto l3
r0 = 0
exit
l3:
if w3 s> 127 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
