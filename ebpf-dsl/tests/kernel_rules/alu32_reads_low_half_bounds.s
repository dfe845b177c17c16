# kernel: accept
# since: 6.12
# kernel log: (accepted) r6 is 0..=3 and `r6 *= 0x10003` is 0..=0x30009 in 64 bits; 6.12 and later carry that range to the low half's bounds (`reg_bounds_sync`: upper halves equal), so the 32-bit `w6 &= 0x3000c` stays at most 0x30009 and `if w6 > 0x3000a` is never taken. 6.1.192's synchronisation does not: the low half's bounds are what `tnum_mul` knows (at most 0x3000f; `scalar32_min_max_mul` forgets a product by more than U16_MAX), `scalar32_min_max_and` keeps at most 0x3000c, and the branch is walked to the bad load. This verifier reads a 32-bit operation's operand by its low half's bounds (`Scalar::held32`), as the kernel does: the model test `the_6_1_target_is_never_tighter_than_the_kernels` found operands whose 64-bit range, tighter than the low half's under 6.1's synchronisation, made a 32-bit product tighter than 6.1.192's when this verifier read the 64-bit range (`trunc32`)
r6 = *(u32 *)(r1 + 12)
r6 &= 3
r6 *= 0x10003
w6 &= 0x3000c
if w6 > 0x3000a goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
