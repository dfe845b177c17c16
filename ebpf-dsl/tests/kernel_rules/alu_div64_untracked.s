# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# The kernel does not track a division (is_safe_to_compute_dst_reg_range): (r7 & 0x3c) / 3 is
# wholly unknown to it, so the refused branch is walked.
r7 = *(u32 *)(r1 + 16)
r7 &= 0x3c
r7 /= 3
if r7 > 20 goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
