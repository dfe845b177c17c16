# kernel: accept
# A 64-bit `|=` keeps the larger of the operands' unsigned 32-bit minima as the low half's
# minimum (`scalar32_min_max_or` runs for either width): r0's upper half is unknown, so the
# 64-bit bounds and known bits say nothing of the low half, but `w0 < 63` stays false.
call bpf_get_prandom_u32
if w0 < 63 goto out
r0 |= 4
if w0 < 63 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
