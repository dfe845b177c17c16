# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# A modulo is not tracked either (6.18.44).
r7 = *(u32 *)(r1 + 16)
r7 &= 0x3c
r7 %= 3
if r7 > 2 goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
