# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# Not even a quotient of constants (6 / 3) is known to the kernel.
r7 = 6
r7 /= 3
if r7 != 2 goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
