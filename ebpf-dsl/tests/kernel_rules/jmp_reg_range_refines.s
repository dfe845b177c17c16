# kernel: accept
# since: 6.12
# `if r7 > r6` with r6 in 0..=100 and neither a constant: the fall-through narrows r7 to
# 0..=100 (`regs_refine_cond_op`), so `r7 > 100` is never true. 6.1.192 narrows a register only
# against a constant (`reg_set_min_max`): r7 stays unknown and the load is walked.
call bpf_get_prandom_u32
r6 = r0
r6 &= 100
call bpf_get_prandom_u32
r7 = r0
if r7 > r6 goto out
if r7 > 100 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
