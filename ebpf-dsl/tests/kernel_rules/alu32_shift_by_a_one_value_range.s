# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# `alu_shift_by_a_one_value_range` in 32 bits: w7 in 2..=2 with the known bits (0; 0x2) is not
# `tnum_subreg_is_const`, so `w6 <<= w7` gives an unknown number (`__mark_reg_unknown`) and
# `w6 == 4` decides nothing.
r9 = r1
r7 = *(u32 *)(r9 + 12)
w7 &= 606085234
if w7 s<= 1 goto out
if w7 s> 4 goto out
r6 = 1
w6 <<= w7
if w6 == 4 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
