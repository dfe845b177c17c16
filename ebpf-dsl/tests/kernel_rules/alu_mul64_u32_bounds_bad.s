# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low half of `r0 *= 3` for a low half of 0..=5 reaches 15: `w0 > 14` holds for 5.
call bpf_get_prandom_u32
if w0 > 5 goto out
r0 *= 3
if w0 > 14 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
