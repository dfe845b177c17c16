# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# After `w7 &= 0x24202072`, `w7 s<= 1` and `w7 s> 4` not taken, the kernel's one
# `reg_bounds_sync` leaves r7 in 2..=2 with the known bits (0; 0x2): one value in range, but
# not a constant by its known bits. `r6 <<= r7` is tracked only for a shift amount that
# `tnum_is_const` (`is_safe_to_compute_dst_reg_range`): r6 becomes unknown and `r6 == 4` does
# not decide the branch to the bad dereference. Shifting by the one-value range made r6 the
# constant 4 (a false accept, found while auditing the sync fuzzer's `== 2` case).
r9 = r1
r7 = *(u32 *)(r9 + 12)
w7 &= 606085234
if w7 s<= 1 goto out
if w7 s> 4 goto out
r6 = 1
r6 <<= r7
if r6 == 4 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
