# kernel: accept
# since: 6.18
# kernel log: r3 = r8 - 127 linked to r8 (0..=0x7fffffff); `if w3 s< 15` gives r3 the s32 range -127..=14, and sync_linked_regs adds 127 back to it with scalar32_min_max_add too: r8's s32 range is 0..=141, its 64-bit range (upper half 0) follows, and `if r8 >= 256` is never taken; this verifier added only the 64-bit bounds and walked to the load (found by the link fuzzer, seed 2)
r9 = r1
r8 = *(u32 *)(r9 + 12)
r8 &= 0x7fffffff
r3 = r8
r3 -= 127
if w3 s< 15 goto l1
r0 = 0
exit
l1:
if r8 >= 256 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
