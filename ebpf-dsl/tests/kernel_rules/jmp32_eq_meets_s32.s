# kernel: accept
# since: 6.12
# kernel log: "from 6 to 9: ... R7=scalar(smin=0,smax=umax=0xffffffff,smax32=0,...)": a 32-bit `w6 == w7` gives w7 w6's signed 32-bit bound (s32 <= 0), and the 64-bit `r7 == 256` is then decided by the 32-bit bounds; this verifier refined the zero-extended values as 64-bit ones only (link fuzz seed 54)
r6 = *(u32 *)(r1 + 12)
r7 = *(u32 *)(r1 + 16)
if w6 s<= 0 goto l0
r0 = 0
exit
l0:
if w6 == w7 goto l1
r0 = 0
exit
l1:
if r7 == 256 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
