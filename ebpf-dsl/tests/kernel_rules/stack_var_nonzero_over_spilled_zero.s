# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# stack_var_zero_keeps_spilled_zero.s storing 1: the variable-offset write scrubs the spilled
# zero (STACK_MISC), so the fill is unknown and the branch to the bad load is taken.
r6 = *(u32 *)(r1 + 12)
r1 = r6
r1 &= 7
*(u64 *)(r10 - 48) = 0
r2 = r10
r2 += -48
r2 += r1
*(u8 *)(r2 + 0) = 1
r6 = *(u32 *)(r10 - 48)
if r6 & 9 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
