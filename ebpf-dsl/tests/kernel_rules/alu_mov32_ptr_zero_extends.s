# kernel: accept
# `w4 = w1` of a pointer (privileged) is an unknown number zero-extended to 64 bits
# (`check_alu_op`: `mark_reg_unknown`, then `zext_32_to_64`): 0..=0xffffffff, so after
# `r4 += 8` it is 8 or more and `r4 > 7` always holds; `bad` is dead. A verifier that makes
# the copy wholly unknown walks into `bad` (found by the pointer fuzzer, seed 1224001, a
# `w4 = w4` of a packet metadata pointer).
r4 = r1
w4 = w4
r4 += 8
if r4 > 7 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
