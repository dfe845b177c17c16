# kernel: accept
# since: 6.18
# r6 masked by 0x54599ad109418258 (low byte 0x58), `r6 <= 23` and `r6 > 63` not taken: the
# range 24..=63 holds one value of the known bits, 24 (the next one is 64). Kernel 6.18's
# `reg_bounds_sync` starts with `__update_reg64_bounds`, whose single-value rule
# (`tnum_step`) makes r6 the constant 24 there; checked only after the synchronisation
# (24..=24 with the narrowed bits (0; 0x18), whose largest value is 24) the rule no longer
# fires and r6 stayed a one-value range that is not a constant (a false reject, found by the
# sync fuzzer, seed 0x5e115eed, reduced).
r9 = r1
r6 = *(u32 *)(r9 + 16)
r6 <<= 32
r8 = *(u32 *)(r9 + 12)
r6 |= r8
r8 = 0x54599ad109418258 ll
r6 &= r8
if r6 <= 23 goto out
if r6 > 63 goto out
if r6 != 24 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
