# kernel: accept
# since: 6.12
# `r6 |= r7` with both in 0..=15 and r7 no constant: r6 stays in 0..=15. 6.1.192's
# `adjust_scalar_min_max_vals` computes only `+`, `-` and `&` for a source that is not a
# constant and makes r6 unknown.
call bpf_get_prandom_u32
r6 = r0
r6 &= 15
call bpf_get_prandom_u32
r7 = r0
r7 &= 15
r6 |= r7
if r6 > 15 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
