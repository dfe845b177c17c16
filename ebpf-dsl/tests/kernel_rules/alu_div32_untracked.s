# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# As alu_div64_untracked, 32-bit: w7 is any u32 to the kernel.
r7 = *(u32 *)(r1 + 16)
r7 &= 0x3c
w7 /= 3
if w7 > 20 goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
