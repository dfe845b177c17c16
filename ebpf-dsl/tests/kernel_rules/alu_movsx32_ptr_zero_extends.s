# kernel: accept
# since: 6.6
# As alu_mov32_ptr_zero_extends.s for a 32-bit sign-extending move of a pointer,
# `w4 = (s16)w1`: the same branch of `check_alu_op`, an unknown number zero-extended.
r4 = r1
w4 = (s16)w4
r4 += 8
if r4 > 7 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
