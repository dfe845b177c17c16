# kernel: accept
# since: 6.6
# `w7 = w6` of a number that fits in 32 bits links the two (6.6.47's check_alu_op keeps the
# id when `is_src_reg_u32`; 6.1.192 clears the copy's id): `if r7 > 7` narrows r6 too, so the
# stack write at r10 - 8 + r6 stays in its slot.
call bpf_get_prandom_u32
r6 = r0
r6 &= 255
w7 = w6
if r7 > 7 goto out
r1 = r10
r1 += -8
r1 += r6
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit
