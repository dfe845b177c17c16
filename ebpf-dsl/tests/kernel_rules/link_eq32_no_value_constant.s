# kernel: accept
# since: 6.18
# r8 = (s16)r6 is in -32768..=32767 and r4 = r8 - 0x7fffffff a linked copy of it. The taken
# branch of `if w8 == w4` is one no value takes (r8's low half is in -32768..=32767 as a
# signed number, r4's in 0x7fff8001..=0x80008000): `regs_refine_cond_op` gives r8 the 32-bit
# range of r4, and the synchronisation makes r4 the constant 0xffffffff7fff8001 (6.18.44 logs it); `sync_linked_regs`
# then gives r8 that constant plus 0x7fffffff, -32768, and `if r8 == 16` is never taken. A false
# reject until session 32, which gave two linked registers whose comparison leaves no value the
# hull of both instead of the kernel's refined values (the link fuzzer's seed 1232002, #91524,
# reduced). 6.12 to 6.17 have no single-value rule: r4 keeps no number and the check forgets
# its bounds, so `if r8 == 16` is walked.
r9 = r1
r6 = *(u32 *)(r9 + 12)
r8 = (s16)r6
r4 = r8
r4 -= 2147483647
if w8 == w4 goto eq
r0 = 2
exit
eq:
if r8 == 16 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
