# kernel: accept
# since: 6.12
# `w6 ^= w7` with both in 0..=15 and w7 no constant: r6 stays in 0..=15 (zero-extended). 6.1.192
# makes all of r6 unknown (not even zero-extended).
call bpf_get_prandom_u32
r6 = r0
r6 &= 15
call bpf_get_prandom_u32
r7 = r0
r7 &= 15
w6 ^= w7
if r6 > 15 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
