# kernel: accept
# since: 6.18
# `le16` truncates with `coerce_reg_to_size`, which synchronises once itself, and the
# operation synchronises once more (`adjust_scalar_min_max_vals`): r6, left by one
# synchronisation in 128..=223 with the known bits (0; 0xdf) (see
# jmp32_jset_reads_the_held_value), is in 128..=223 again after the cut and learns bit 7, so
# `if r6 & 128` is always taken and the bad dereference is never walked.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
r6 = le16 r6
if r6 & 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
