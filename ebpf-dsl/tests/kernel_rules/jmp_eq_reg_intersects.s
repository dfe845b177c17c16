# kernel: accept
# `if r7 != r6 goto out` (64-bit) with r6 in 0..=15: on the fall-through both hold the
# intersection of their ranges, from 6.1.192 on (`reg_combine_min_max`) - the comparison of
# two numbers the older targets keep.
call bpf_get_prandom_u32
r6 = r0
r6 &= 15
call bpf_get_prandom_u32
r7 = r0
if r7 != r6 goto out
if r7 > 15 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
