# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `le32` keeps the signed 32-bit bounds -128..=127 of the number, no narrower: `w0 s> 126`
# holds for 127.
call bpf_get_prandom_u32
r0 = (s8)r0
r0 = le32 r0
if w0 s> 126 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
