# kernel: accept
# since: 6.12
# The 32-bit `if w7 > w6` with w6 in 0..=100 narrows w7 to 0..=100 on the fall-through;
# 6.1.192 narrows only against a constant.
call bpf_get_prandom_u32
r6 = r0
r6 &= 100
call bpf_get_prandom_u32
r7 = r0
if w7 > w6 goto out
if w7 > 100 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
