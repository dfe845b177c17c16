# kernel: accept
# since: 6.12
# `if r6 < r7` with r6 in 0..=100 and r7 in 200..=327 is always true (`is_scalar_branch_taken`
# on two ranges); 6.1.192 decides only against a constant source (`is_branch_taken`).
call bpf_get_prandom_u32
r6 = r0
r6 &= 100
call bpf_get_prandom_u32
r7 = r0
r7 &= 127
r7 += 200
if r6 < r7 goto out
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
