# kernel: accept
# since: 6.12
# `w0 s>>= 3` shifts the low half's known bits as a signed 32-bit number
# (`scalar32_min_max_arsh`: `tnum_arshift(.., 32)`): with its low 15 bits set, the result's
# low 12 bits are set, so `w0 == 14` never holds (the signed range alone allows 14).
call bpf_get_prandom_u32
r0 |= 32767
w0 s>>= 3
if w0 == 14 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
