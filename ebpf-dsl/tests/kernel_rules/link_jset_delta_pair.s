# kernel: accept
# since: 6.18
# Two linked copies, one with a delta, tested with `&` against each other: neither is a
# constant, so nothing is refined, and each copy gets the other's value moved back by the
# delta (`sync_linked_regs`): r8 stays 0..=63 (the hull of both, 0..=0x7fffffff, would not).
# Debian's 6.12.118 (tools/kernel-vm/) refuses it: the copy given the delta keeps an
# unbounded u32 range beside s32 0..=63, unsynced, and `w8 > 256` is decided from the u32 one.
r8 = *(u32 *)(r1 + 12)
r8 &= 63
r4 = r8
r4 += 2147483584
if r8 & r4 goto l0
r0 = 0
exit
l0:
if w8 > 256 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
