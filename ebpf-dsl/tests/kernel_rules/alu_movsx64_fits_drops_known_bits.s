# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# r8 is 0 or 4 (known bits 0x4 unknown); r5 = (s8)r8 keeps 0..=4 but its known bits become
# those of the range (tnum_range: 0..=7), so `r5 & 3` may be non-zero for the kernel.
r8 = *(u32 *)(r1 + 12)
r8 &= 4
r5 = (s8)r8
r5 &= 3
if r5 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
