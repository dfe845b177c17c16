# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# A comparison links at most 6 registers and spilled registers (LINKED_REGS_MAX); r8 compared
# with itself has its link (r6, r7, r8, fp-24) collected twice, and the copies past the sixth
# (r8 and fp-24, the last in the kernel's order) lose the link: w7 s>= 3 no longer bounds r8.
r9 = r1
r6 = *(u32 *)(r9 + 16)
r7 = r6
w8 = w6
*(u64 *)(r10 - 24) = r8
if r8 == r8 goto l0
r0 = 0
l0:
r6 = r6
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
