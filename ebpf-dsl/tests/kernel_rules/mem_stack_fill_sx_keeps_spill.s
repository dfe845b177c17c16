# kernel: accept
# since: 6.12
# A sign-extending fill of a spilled 0..=7 (check_stack_read_fixed_off copies the spilled
# register, then coerce_reg_to_size_sx) is 0..=7: `r7 > 7` is never true.
r6 = *(u32 *)(r1 + 12)
r6 &= 7
*(u64 *)(r10 - 8) = r6
r7 = *(s8 *)(r10 - 8)
if r7 > 7 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
