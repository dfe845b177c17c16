# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# `if r8 >= r8` keeps the links of r8 (here with w2 = w8): a later comparison of the two
# copies refines both through the link (sync_linked_regs copies one refined value to the
# other), which leaves w7 = w8 able to be 15. Breaking the links at the first comparison
# would refine the two apart, to 0..=14 and 1..=15, and accept.
r9 = r1
r8 = *(u32 *)(r9 + 16)
r8 &= 15
w2 = w8
r0 = 0
if r8 >= r8 goto l1
l1:
if w8 < w2 goto l2
exit
l2:
w7 = w8
if w7 s>= 15 goto bad
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
