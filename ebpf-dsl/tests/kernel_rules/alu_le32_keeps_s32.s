# kernel: accept
# since: 6.18
# `le32` truncates to 32 bits (`coerce_reg_to_size`, 4 bytes) and keeps the 32-bit bounds:
# a number in -128..=127 becomes 0..=u32::MAX whose signed low half is still -128..=127.
call bpf_get_prandom_u32
r0 = (s8)r0
r0 = le32 r0
if w0 s> 127 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
