# kernel: reject
# target: 6.12
# kernel log: R0 invalid mem access 'scalar'
# w3 = (s8)w6 keeps the two linked (w6 fits in s8) but gives w3 its own known bits
# (0x0; 0x7f) where w6 has (0x0; 0x40). `if r3 s< r3` then copies r3's value to its linked
# copy on both branches (sync_linked_regs), so w6 & 7 can be non-zero afterwards.
r3 = *(s32 *)(r10 - 24)
r6 = r3
r6 &= 64
w3 = (s8)w6
if r3 s< r3 goto l1
r0 = 0
l1:
if w6 & 7 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
