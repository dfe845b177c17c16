# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# A sign-extending fill of a spilled 0-or-4 is 0..=4 with the known bits of that range
# (0..=7): `r7 & 3` may be non-zero for the kernel.
r6 = *(u32 *)(r1 + 12)
r6 &= 4
*(u64 *)(r10 - 8) = r6
r7 = *(s8 *)(r10 - 8)
r7 &= 3
if r7 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
