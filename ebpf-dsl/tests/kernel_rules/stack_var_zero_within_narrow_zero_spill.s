# kernel: accept
# since: 6.12
# A variable-offset store of 0 that stays within a 4-byte spill of 0 keeps it (every byte it
# may touch is STACK_SPILL of a constant-zero scalar), so the 4-byte fill is 0.
r6 = *(u32 *)(r1 + 12)
r1 = r6
r1 &= 3
r3 = 0
*(u32 *)(r10 - 48) = r3
r2 = r10
r2 += -48
r2 += r1
*(u8 *)(r2 + 0) = 0
r6 = *(u32 *)(r10 - 48)
if r6 & 9 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
