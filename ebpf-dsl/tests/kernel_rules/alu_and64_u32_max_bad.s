# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low half of `r0 &= -2` for a low half of at most 100 reaches 100: `w0 > 99` holds.
call bpf_get_prandom_u32
if w0 > 100 goto out
r0 &= -2
if w0 > 99 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
