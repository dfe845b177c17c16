# kernel: accept
# target: 6.18
# As alu32_mov_ptr_zext with a sign-extending 32-bit move, wX = (s8)wY: of a pointer, the
# kernel's result is any u32 too (mark_reg_unknown, zext_32_to_64).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
w4 = (s8)w3
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
