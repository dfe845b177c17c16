# kernel: accept
# target: 6.18
# A 32-bit subtraction of two pointers gives a wholly unknown number, not zero-extended
# (adjust_reg_min_max_vals: mark_reg_unknown); the 32-bit AND then makes it exactly
# 0..=0x3fffffff, minimum 0, so adding it is accepted. The 2^29 class's second walk marks
# such a result exact when ours is wholly unknown too (session 27).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
w4 -= w2
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
