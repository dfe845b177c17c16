# kernel: accept
# target: 6.18
# As alu_ptr_neg_exact with a byte swap of the pointer, be32: wholly unknown (check_reg_arg
# DST_OP).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
r4 = be32 r4
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
