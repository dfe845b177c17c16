# kernel: accept
# A 32-bit quotient is zero-extended: its upper half is 0 to the kernel.
r7 = *(u32 *)(r1 + 16)
r7 &= 0x3c
w7 /= 3
if r7 > 0xffffffff goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
