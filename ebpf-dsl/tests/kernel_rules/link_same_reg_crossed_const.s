# kernel: accept
# since: 6.18
# kernel log: "from 2 to 5: ... R6=1": `if r6 < r6` (never true) on r6 in [0, 1] is walked, refined as one register (max 0, then min 1: crossed); 6.18.44's step-by-step bounds sync leaves the constant 1 (its sanity check passes), so `if r6 != 1` is never taken. Earlier kernels forget the bounds and walk to the scalar load (link fuzz seed 38; the 32-bit form fails the check: link_same_reg_violation)
r6 = *(u32 *)(r1 + 12)
r6 &= 1
if r6 < r6 goto l
r0 = 0
exit
l:
if r6 != 1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
