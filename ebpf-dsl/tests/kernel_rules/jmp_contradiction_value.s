# kernel: accept
# since: 6.12
# kernel log: the branch `if r6 < 16` is taken by no value of r6 (a multiple of 8 of at least 9); 6.18.44 walks it with r6 = 8 (its bounds sync of the contradiction), decides `if r6 == 8` and never reaches the scalar load; 6.12.118 (its source) accepts too: without `tnum_step` its `reg_bounds_sync` narrows the known bits to the constant 8 while the range crosses, `reg_bounds_sanity_check` fails and `__mark_reg_unbounded` keeps var_off 8, so `if r6 == 8` is decided by the constant known bits (`NoValue::KeepBits`); 6.6.47 has no sanity check (this verifier's 6.6 target takes an unknown number there: a false reject)
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 += -1
r6 *= 8
if r6 s> 8 goto l1
r0 = 2
exit
l1:
if r6 < 16 goto l4
r0 = 2
exit
l4:
if r6 == 8 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
