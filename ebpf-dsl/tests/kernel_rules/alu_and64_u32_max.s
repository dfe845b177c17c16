# kernel: accept
# A 64-bit `&=` keeps the smaller of the operands' unsigned 32-bit maxima as the low half's
# maximum (`scalar32_min_max_and` runs for either width): `w0 > 100` stays false.
call bpf_get_prandom_u32
if w0 > 100 goto out
r0 &= -2
if w0 > 100 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
