# kernel: accept
# since: 6.12
# After `w6 &= 0x1b158adf`, `w6 <= 127` and `r6 > 256` not taken, the kernel's one
# `reg_bounds_sync` leaves r6 in 128..=223 with the known bits (0; 0xdf): bit 7 is set in
# every value of the range but not known (a second synchronisation would learn it).
# A 1-byte fill of the spilled r6 copies it and truncates it (`coerce_reg_to_size`), whose
# one `reg_bounds_sync` learns bit 7 even though the value fits in a byte: `r7 & 128` is 128.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
*(u64 *)(r10 - 8) = r6
r7 = *(u8 *)(r10 - 8)
r7 &= 128
if r7 == 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
