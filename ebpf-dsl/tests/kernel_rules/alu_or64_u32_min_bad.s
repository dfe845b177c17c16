# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low half of `r0 |= 4` for a low half of at least 63 is at least 63, no more: 63 | 4 is
# 63, so `w0 < 64` holds.
call bpf_get_prandom_u32
if w0 < 63 goto out
r0 |= 4
if w0 < 64 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
