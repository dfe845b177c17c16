# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# After `w7 &= 0x24202072`, `w7 s<= 1` and `w7 s> 4` not taken, the kernel's one
# `reg_bounds_sync` leaves w7 in 2..=2 with the known bits (0; 0x2): one value in range, but
# not a constant by its known bits (a second synchronisation would make it one).
# `is_scalar_branch_taken` decides `==` by constants only when both `tnum_is_const`, and the
# ranges 2..=2 and 2 overlap: `w7 == 2` is not decided and its fall-through is walked to the
# bad dereference. Deciding it from the one-value range was a false accept (found by the
# sync fuzzer, seed 0x5e115eed, program #28180, reduced).
r9 = r1
r7 = *(u32 *)(r9 + 12)
w7 &= 606085234
if w7 s<= 1 goto out
if w7 s> 4 goto out
if w7 == 2 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
