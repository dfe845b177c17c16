# kernel: reject
# until: 6.18
# kernel log: R7 invalid mem access 'scalar'
# r6 in 0x123..=0x17b with the known bits (0x100; 0x7f), r7 in 0xd7..=0x156 with the known
# bits (0x17; 0x1c0). The fall-through of `if w6 != w7` (the low halves equal) is a branch no
# value takes: `regs_refine_cond_op` narrows only the 32-bit bounds (to 0x123..=0x156) and
# the low known bits (to (0x117; 0x40), the values 0x117 and 0x157), and 6.18's one
# `reg_bounds_sync` starts with the single-value rule on the 64-bit range r7 still has
# (0xd7..=0x156 holds 0x117 only): r7 is the constant 0x117 and `if r7 == 0x117` walks the
# bad dereference. Narrowing the 64-bit bounds too (as a 64-bit comparison of values that fit
# in 32 bits) made r7 0x157 and skipped it: a false accept for 6.18 until session 32. 6.12
# (no single-value rule) keeps r7 in 0x123..=0x156 with those bits, a range 0x117 is not in,
# and never walks it.
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 &= 0x7f
r6 |= 0x100
if r6 < 0x123 goto out
if r6 > 0x17b goto out
r7 = *(u32 *)(r9 + 16)
r7 &= 0x1c0
r7 |= 0x17
if r7 < 0xd7 goto out
if r7 > 0x156 goto out
if w6 != w7 goto out
if r7 == 0x117 goto bad
goto out
bad:
r0 = *(u8 *)(r7 + 0)
out:
r0 = 2
exit
