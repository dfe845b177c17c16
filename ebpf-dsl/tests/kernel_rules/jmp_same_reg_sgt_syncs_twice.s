# kernel: accept
# since: 6.12
# As jmp_same_reg_syncs_twice: r6 is left by one synchronisation in 128..=223 with the known
# bits (0; 0xdf), where every value has bit 7. `if r6 s> r6` narrows its signed
# bounds to 129..=222 on the taken branch and nothing on the fall-through, but `reg_set_min_max`
# synchronises both operands, here one register, twice, and the second learns bit 7: the bad
# dereference behind `if r6 & 128` is never walked. A false reject until session 32.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
if r6 s> r6 goto next
next:
if r6 & 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
