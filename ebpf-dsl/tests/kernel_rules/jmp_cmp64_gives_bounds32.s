# kernel: accept
# since: 6.12
# r6 in 0x1_0000_0000..=0x1_0000_0005 after two 64-bit comparisons: its low half is 0..=5
# (the upper halves of the bounds agree: `__reg32_deduce_bounds`), so `w6 > 5` is never true.
# 6.1.192's `reg_bounds_sync` does not deduce across the halves (known bits: 0..=7).
call bpf_get_prandom_u32
r6 = r0
call bpf_get_prandom_u32
r6 <<= 32
r6 |= r0
r1 = 0x100000005 ll
if r6 > r1 goto out
r1 = 0x100000000 ll
if r6 < r1 goto out
if w6 > 5 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
