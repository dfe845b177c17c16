# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# note: r6 = (s16)r8 links r6 to r8 with a less precise value (tnum 0..0xfff instead of 0xf00 bits); comparing the two linked registers, the kernel copies r6's value to r8 (sync_linked_regs), so r8 == 8 is possible and `bad` is walked (found by the link fuzzer, seed 5)
r8 = *(u32 *)(r1 + 12)
r8 &= 4095
r8 &= 65280
r6 = (s16)r8
if w8 < w6 goto l1
r0 = 0
exit
l1:
if r8 == 8 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
