# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `r0 < r0` narrows 0..=u32::MAX to 1..=u32::MAX - 1, no further: `r0 s< 2` still holds
# for 1.
call bpf_get_prandom_u32
w0 = w0
if r0 < r0 goto l0
r0 = 0
exit
l0:
if r0 s< 2 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
