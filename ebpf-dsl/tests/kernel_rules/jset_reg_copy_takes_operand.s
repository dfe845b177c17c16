# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `if r4 & r6` with neither a constant refines nothing, but the kernel gives r4's copies r4's
# value (`sync_linked_regs`): r8, whose known bits (0xff80) rule out bit 4, takes those of
# its sign-extending copy r4 (0xffff), so `r8 & 16` can hold. Keeping r8's own bits took that
# branch for dead (a false accept found by the v4 fuzzer, seeds 1013, 1018, 1024, 1031, 1052).
r6 = *(u32 *)(r1 + 12)
r8 = *(u32 *)(r1 + 12)
r8 &= 65408
r4 = (s32)r8
if r4 & r6 goto l0
r0 = 0
exit
l0:
if r8 & 16 goto bad
r0 = 0
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
