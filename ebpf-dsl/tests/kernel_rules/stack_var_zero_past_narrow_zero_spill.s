# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# A variable-offset store of 0 over a 2-byte spill of 0 that may also touch the bytes past
# it: the kernel scrubs the slot (scrub_special_slot: the spilled bytes become STACK_MISC),
# so the 2-byte fill is unknown.
r6 = *(u32 *)(r1 + 12)
r1 = r6
r1 &= 3
r3 = 0
*(u16 *)(r10 - 48) = r3
r2 = r10
r2 += -48
r2 += r1
*(u8 *)(r2 + 0) = 0
r6 = *(u16 *)(r10 - 48)
if r6 & 9 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
