# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# After `w7 &= 0x24202072`, `w7 s<= 1` and `w7 s> 4` not taken, w7 is in 2..=2 with the
# known bits (0; 0x2) (one `reg_bounds_sync`; a second would make it the constant 2).
# `if w6 & w7` with w6 the constant 2: the kernel's JSET takes as the constant operand one
# that `is_reg_const` by its known bits, r6, and reads w7's known bits, where bit 1 is
# unknown: not decided, the fall-through reaches the bad dereference. Taking w7 as the
# constant 2 decided it (a false accept).
r9 = r1
r7 = *(u32 *)(r9 + 12)
w7 &= 606085234
if w7 s<= 1 goto out
if w7 s> 4 goto out
r6 = 2
if w6 & w7 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
