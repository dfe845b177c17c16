# kernel: accept
# since: 6.12
# `if r6 == 0 goto out` with r6 in 0..=15: on the fall-through r6 != 0 at the end of its
# range, so r6 is 1..=15 and `r6 < 1` never holds. 6.1.192 learns nothing from `!=`.
call bpf_get_prandom_u32
r6 = r0
r6 &= 15
if r6 == 0 goto out
if r6 < 1 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
