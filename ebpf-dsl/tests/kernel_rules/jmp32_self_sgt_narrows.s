# kernel: accept
# since: 6.12
# `w0 s> w0` on a number in 0..=255 narrows its signed 32-bit bounds to 1..=254: `w0 == 0`
# is then never true.
call bpf_get_prandom_u32
r0 &= 0xff
if w0 s> w0 goto l0
r0 = 0
exit
l0:
if w0 == 0 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
