# kernel: accept
# target: 6.18
# A negation of a pointer (a privileged loader's) gives a wholly unknown number
# (check_alu_op: check_reg_arg DST_OP marks it unknown); the 32-bit AND makes it exactly
# 0..=0x3fffffff, minimum 0, and adding it is accepted. The 2^29 class's second walk marks
# such a result exact when ours is wholly unknown too (session 27).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
r4 = -r4
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
