# kernel: accept
# target: 6.18
# A 64-bit sign-extending move of a pointer, rX = (s32)rY (a privileged loader's), gives a
# wholly unknown number (check_alu_op: mark_reg_unknown); the 32-bit AND makes it exactly
# 0..=0x3fffffff, minimum 0, and adding it is accepted (session 27: the 2^29 class's second
# walk marks it exact).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = (s32)r3
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
