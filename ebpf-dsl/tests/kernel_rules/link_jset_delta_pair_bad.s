# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# r8 stays 0..=63 after the `&` test of the linked pair, no narrower: 63 is above 62.
r8 = *(u32 *)(r1 + 12)
r8 &= 63
r4 = r8
r4 += 2147483584
if r8 & r4 goto l0
r0 = 0
exit
l0:
if w8 > 62 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
