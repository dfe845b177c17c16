# kernel: accept
# since: 6.12
# note: (s8) gives s in [-128, 127]; an unsigned upper bound below -128 as u64 leaves 0..=127 (__reg64_deduce_bounds), so the load through 7 is dead (selftest bounds_deduct_positive_overlap)
call bpf_get_prandom_u32
r0 = (s8)r0
r1 = -256
if r0 > r1 goto out
if r0 < 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
