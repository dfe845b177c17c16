# kernel: accept
# since: 6.12
# `if w7 != w6 goto out` with w6 in 0..=15: on the fall-through w7 == w6, so w7 is 0..=15.
# 6.1.192 intersects two registers only on a 64-bit `==` / `!=` (`reg_combine_min_max`).
call bpf_get_prandom_u32
r6 = r0
r6 &= 15
call bpf_get_prandom_u32
r7 = r0
if w7 != w6 goto out
if w7 > 15 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
