# kernel: accept
# Three copies compared (r8 with itself) make 6 collected entries, within LINKED_REGS_MAX:
# the links stay, and `w7 s>= 3` bounds r8 too (a 64-bit copy of a 32-bit value), so
# `r8 s< 1` cannot hold.
r9 = r1
r6 = *(u32 *)(r9 + 16)
r7 = r6
r8 = r6
if r8 == r8 goto l0
r0 = 0
l0:
if w7 s>= 3 goto l1
r0 = 0
exit
l1:
if r8 s< 1 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
