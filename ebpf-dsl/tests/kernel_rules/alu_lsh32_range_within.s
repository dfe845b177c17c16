# kernel: accept
# `w0 <<= 27` of 4..=16 (16 <= 2^(31 - 27)) shifts the bounds: 2^29..=2^31, so
# `r0 s<= 64` never holds.
call bpf_get_prandom_u32
r0 &= 15
w0 += 1
if w0 < 4 goto out
w0 <<= 27
if r0 s<= 64 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
