# kernel: accept
# since: 6.12
# A variable-offset store of 0 into a slot holding a spilled constant 0 keeps the spill
# (check_stack_write_var_off: writing_zero over a STACK_SPILL byte of a constant-zero scalar
# skips the byte), so the 4-byte fill after it is 0. Found by verifier_call_fuzz.
r6 = *(u32 *)(r1 + 12)
r1 = r6
r1 &= 7
*(u64 *)(r10 - 48) = 0
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
