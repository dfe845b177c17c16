# kernel: accept
# since: 6.18
# `le64` changes no bit, but 6.18 tracks byte swaps and conversions through
# `adjust_scalar_min_max_vals`, which ends with one more `reg_bounds_sync`: r6, left by one
# synchronisation in 128..=223 with the known bits (0; 0xdf) (see
# jmp32_jset_reads_the_held_value), learns bit 7 there, so `if r6 & 128` is always taken and
# the bad dereference is never walked.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
r6 = le64 r6
if r6 & 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
