# kernel: reject
# kernel log: div by zero
# `w0 s>>= w1` with w1's low half 0 but r1 = 2^36: the kernel computes no range for a shift
# by a register whose 64-bit maximum is 32 or more (is_safe_to_compute_dst_reg_range) and
# leaves all 64 bits of r0 unknown, not zero-extended; `r0 >>= 32` may then be nonzero and
# the division by 0 is reached.
call bpf_get_prandom_u32
r6 = r0
r1 = 0x1000000000 ll
w0 s>>= w1
r0 >>= 32
if r0 == 0 goto out
r6 /= 0
out:
r0 = 0
exit
