# kernel: accept
# since: 6.12
# `if r3 & r5` with neither a constant refines nothing, but the kernel still gives the copies
# of r5 its value (`sync_linked_regs`): r7, a sign-extending copy of r5 that knew less of its
# low bits (0x3ff unknown), takes r5's known bits (0x380), so `w7 == 1` is decided.
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
if w7 == 1 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
