# kernel: accept
# since: 6.12
r7 = *(u32 *)(r1 + 16)
r7 &= 4095
if w7 > 127 goto l2
r0 = 2
exit
l2:
if w7 & 14 goto l3
r0 = 2
exit
l3:
if r7 == 15 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
