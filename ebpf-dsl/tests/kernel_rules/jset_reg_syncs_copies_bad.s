# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The copy takes the value of the register it is linked to: r7 (a sign-extending copy of r6,
# 0x3ff unknown) is linked to r5, and r5's known bits (0x380) allow 128.
r6 = *(u32 *)(r1 + 16)
r6 &= 7
r3 = *(u32 *)(r1 + 12)
r6 <<= 7
r7 = (s16)r6
r5 = r6
if r3 & r5 goto l0
r0 = 0
exit
l0:
if w7 == 128 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
