# kernel: accept
# After `w6 &= 0x1b158adf`, `w6 <= 127` and `r6 > 256` not taken, the kernel's one
# `reg_bounds_sync` leaves r6 in 128..=223 with the known bits (0; 0xdf): bit 7 is set in
# every value of the range but not known (a second synchronisation would learn it).
# `w7 = w6` zero-extends the copy and synchronises it once (`zext_32_to_64`, then
# `reg_bounds_sync` in `check_alu_op`): that synchronisation learns bit 7, so `w7 & 128`
# is 128 and the bad branch is dead.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
w7 = w6
w7 &= 128
if w7 == 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
