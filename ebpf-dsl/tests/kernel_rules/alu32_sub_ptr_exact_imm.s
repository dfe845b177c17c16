# kernel: accept
# target: 6.18
# As alu32_sub_ptr_exact with a pointer minus a constant, wP -= 14: 32-bit ALU operations on
# pointers produce wholly unknown numbers (adjust_ptr_min_max_vals: __mark_reg_unknown).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
w4 -= 14
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
