# kernel: accept
# since: 6.12
# `if r6 == 251` with r6 in 0..=250 (known bits 0..=255 hold 251) is never true: decided by the
# range. 6.1.192 decides `==` only for a constant register (`is_branch64_taken`).
call bpf_get_prandom_u32
r6 = r0
r6 &= 255
if r6 > 250 goto out
if r6 == 251 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
