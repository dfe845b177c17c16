# kernel: reject
# kernel log: invalid write to stack R1 off=0 size=1 (the branch `if r6 < 16` is taken by no value of r6, a multiple of 8 of at least 9, but 6.18.44 walks it with r6 = 8, the constant its bounds sync makes of the contradiction; a verifier that took the branch as dead would accept)
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 += -1
r6 *= 8
if r6 s> 8 goto l1
r0 = 2
exit
l1:
if r6 < 16 goto l4
r0 = 2
exit
l4:
r1 = r10
r1 += -8
r1 += r6
*(u8 *)(r1 + 0) = 1
r0 = 2
exit
