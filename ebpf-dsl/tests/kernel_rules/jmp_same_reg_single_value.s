# kernel: accept
# target: 6.18
# kernel log: (accepted) `if w6 < w6` on r6 in {4, 8, 12} (known bits 0xc, 4..=12): the taken branch refines the register as both operands to 5..=11, which holds one value of the known bits, so 6.18's `reg_bounds_sync` makes r6 the constant 8 (the single-value rule of `__update_reg64_bounds`); `r6 >>= r6` is then 0 and `r6 != 0` is decided false
call bpf_get_prandom_u32
r6 = r0
r6 &= 0xc
if r6 < 4 goto out
if w6 < w6 goto l0
out:
r0 = 0
exit
l0:
r6 >>= r6
if r6 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
