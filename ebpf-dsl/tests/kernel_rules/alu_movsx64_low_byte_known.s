# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low 32 bits of r8 are exactly 0x80, its upper bits unknown: the kernel's (s8) of it is
# any s8 (the 64-bit bounds decide when the 32-bit ones do not fit), not -128.
r8 = *(u32 *)(r1 + 12)
r8 &= 255
r8 <<= 32
r8 |= 0x80
r5 = (s8)r8
if r5 != -128 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
