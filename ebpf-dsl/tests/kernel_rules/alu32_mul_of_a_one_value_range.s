# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# `w6 &= 0xff609431`, `w6 s> 0x17400434` and `w6 s<= 0x17400430` not taken: one
# `reg_bounds_sync` leaves r6 in 0x17400431..=0x17400431 with the known bits
# (0x17400430; 0x1), not a constant by its bits. `w6 *= 32767`: `scalar32_min_max_mul`
# overflows (unbounded 32-bit bounds) and `tnum_mul` knows no bit of the low half, so after
# `zext_32_to_64` and the one synchronisation w6 is any u32 and `r6 == 0` is walked. The
# 64-bit product of the one-value range, synchronised before it was cut to 32 bits (the
# kernel never synchronises that intermediate), was the constant 0x17400431 * 32767 and its
# low half decided the branch (a false accept, found by the sync fuzzer, seed 7, program
# #51441, reduced).
r9 = r1
r6 = *(u32 *)(r9 + 16)
w6 &= -10447823
if w6 s> 390071348 goto out
if w6 s<= 390071344 goto out
w6 *= 32767
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
