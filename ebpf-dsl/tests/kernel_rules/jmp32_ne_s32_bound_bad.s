# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `w0 != 0x7ffffffe` of a zero-extended 32-bit number is no bound of it: nothing moves, and
# 0x7fffffff stays possible.
r0 = *(u32 *)(r1 + 16)
if w0 != 2147483646 goto l0
r0 = 0
exit
l0:
if r0 == 2147483647 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
