# kernel: accept
# since: 6.18
# kernel log: r6 = x | 0x7fffffff holds 0x7fffffff or 0xffffffff; `if r6 > r6` (never true) is walked, refined as one register (umin + 1, umax - 1): a range with neither value; 6.18.44's bounds sync makes the constant 0xffffffff of it ("from 7 to 10: R6=0xffffffff"), so `if w6 s>= 0xff00` (w6 = -1) is never taken and the scalar load is dead. Earlier kernels' sanity check forgets the bounds and walk to the load (link fuzz seed 17)
r9 = r1
r6 = *(u32 *)(r9 + 16)
r7 = *(u32 *)(r9 + 16)
r7 &= 2147483647
r8 = *(u32 *)(r9 + 16)
r8 &= 255
r6 |= 2147483647
if r6 > r6 goto l0
r0 = 0
exit
l0:
if w6 s>= 65280 goto l1
r0 = 0
exit
l1:
if r6 s< 255 goto l2
r0 = 0
exit
l2:
if r6 > 2147483647 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
