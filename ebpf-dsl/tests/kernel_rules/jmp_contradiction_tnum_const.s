# kernel: accept
# since: 6.18
# kernel log: on the path through l1, `if r6 < 16 goto l4` is taken only if r6 (a multiple of 8, at least 9) is in 9..=15, which no value is; kernel 6.18.44 still walks the branch, and its bounds sync (the known bits narrowed to the range's block 8..=15 leave the constant 8, which the single-value rule of `__update_reg64_bounds` then makes r6) gives r6 = 8, which its state at l4 (r6 in 0..=8, precise) covers ("from 14 to 16: safe"); this verifier made the contradictory r6 unknown and refused `r1 += r6` until it took the kernel's step-by-step sync (found by the call fuzzer, seed 7)
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 += -1
r6 *= 8
r7 = *(u32 *)(r9 + 16)
r8 = *(u32 *)(r9 + 12)
r8 += 3
r8 >>= 4
if r6 s> 8 goto l1
r7 = 32
goto l2
l1:
r7 = r6
r7 &= 4095
r7 += -4
l2:
if r6 < 16 goto l4
r6 = 7
l4:
r1 = r10
r1 += -64
r1 += r6
*(u8 *)(r1 + 0) = 1
l3:
r0 = 2
exit
