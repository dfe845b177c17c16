# kernel: accept
# since: 6.6
# `if r6 < r7` with r6 = 5 and r7 in 10..=25: always true. 6.1.192 decides a comparison only
# when the source is the constant; a constant destination only narrows the source
# (`reg_set_min_max_inv`), which leaves the fall-through walked. 6.6.47's check_cond_jmp_op
# also calls is_branch_taken on the source with the flipped opcode (`r7 > 5`).
call bpf_get_prandom_u32
r7 = r0
r7 &= 15
r7 += 10
r6 = 5
if r6 < r7 goto out
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
