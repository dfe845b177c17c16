# kernel: accept
# since: 6.18
# kernel log: 4: (46) if w6 & 0x2 goto pc+1 ... from 4 to 6: R6=2
# r6 is 0 or 0xffffffff80000000 (`w6 &= 0x80000000`, then `(s32)`), with no known bits:
# the kernel's sign extension keeps the ranges only (smin=-2^31, smax=0, umax=0xffffffff80000000,
# umax32=0x80000000). On the taken branch of `w6 & 2` bit 1 is set, which no value of those
# ranges has: 6.18's `reg_bounds_sync` step by step (with `tnum_step`) leaves the constant 2,
# and the kernel walks on with it (an offset of 2 into the map value). This verifier made the
# number unknown there (a false reject, found by the new verifier_widen_fuzz, seed 0x31de);
# it now takes the value a comparison's empty refinement gets (`NoValue`). Before 6.18 the
# known bits are kept with unbounded ranges (6.12-6.17) or the number is unknown, and the
# unbounded offset is refused.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 0x80000000
r6 = (s32)r6
if w6 & 2 goto t1
goto out
t1:
*(u32 *)(r10 - 64) = 0
r2 = r10
r2 += -64
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
*(u8 *)(r0 + 0) = 1
out:
r0 = 2
exit
