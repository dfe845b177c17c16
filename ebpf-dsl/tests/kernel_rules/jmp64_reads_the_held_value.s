# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# After `w6 &= 0x1b158adf`, `w6 <= 127` and `r6 > 256` not taken, the kernel's one
# `reg_bounds_sync` leaves r6 in 128..=223 with the known bits (0; 0xdf): bit 7 is set in
# every value of the range but not known (a second synchronisation would learn it).
# `r6 & 128` then `== 0`: r6 as held, bit 7 unknown; the bad branch is walked.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
r6 &= 128
if r6 == 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
