# kernel: accept
# since: 6.12
# `w0 != 0x7fffffff` of a zero-extended 32-bit number: the jmp32 refinement moves the signed
# 32-bit maximum off the constant (`regs_refine_cond_op`, BPF_JNE: each bound equal to it moves
# by one), so the 64-bit `==` is decided by the 32-bit ranges (0x7fffffff is above the signed
# maximum 0x7ffffffe); the zero-extended value's own signed range never reaches the constant.
r0 = *(u32 *)(r1 + 16)
if w0 != 2147483647 goto l0
r0 = 0
exit
l0:
if r0 == 2147483647 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
