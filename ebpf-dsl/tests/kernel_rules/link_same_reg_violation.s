# kernel: reject
# target: 6.12
# kernel log: R0 invalid mem access 'scalar' (after "REG INVARIANTS VIOLATION (true_reg1): range bounds violation")
# `if w4 > w4` with w4 in [0, 1]: the kernel refines the two operands as one register state
# (max 0, then min 1), finds no value left, forgets the bounds (__mark_reg_unbounded) and
# walks the branch on, giving the linked copy r6 the unbounded value: r6 s> 255 is then
# possible. Treating the branch as dead, or keeping [0, 1], would accept. (6.6.47 accepts it:
# no same-register refinement there, `if w4 > w4` walks both branches with r4 and its linked
# r6 in [0, 1], so `w6 s> 255` is never true; the 6.6 target accepts.)
r9 = r1
r6 = *(u32 *)(r9 + 16)
w4 = w6
if r4 s<= 1 goto l0
r0 = 0
exit
l0:
r0 = 0
if w4 > w4 goto l3
l3:
if w6 s> 255 goto l5
exit
l5:
r0 = *(u64 *)(r0 + 0)
exit
