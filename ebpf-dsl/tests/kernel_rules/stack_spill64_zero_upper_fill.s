# kernel: accept
# since: 6.12
# A 4-byte load of the upper half of a spilled constant 0 (`*(u64 *)(r10 - 8) = 0`, a spill
# of the zero, not STACK_ZERO bytes) is 0: check_stack_read_fixed_off, every byte read is
# STACK_SPILL of a constant-zero register (spill_cnt == size). Found by verifier_call_fuzz.
*(u64 *)(r10 - 8) = 0
r7 = *(u32 *)(r10 - 4)
if r7 == 14 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
