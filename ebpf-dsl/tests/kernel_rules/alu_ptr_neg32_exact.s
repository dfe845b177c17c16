# kernel: accept
# target: 6.18
# As alu_ptr_neg_exact with the 32-bit negation: wholly unknown too (not zero-extended).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
w4 = -w4
w4 &= 0x3fffffff
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
