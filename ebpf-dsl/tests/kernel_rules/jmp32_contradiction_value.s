# kernel: accept
# since: 6.12
# kernel log: w6, a multiple of 8 in 9..=0xfff8, is below 16 for no value; 6.18.44 walks `if w6 < 16` anyway with r6 = 8 ("from 4 to 7: R6=8": the 32-bit bounds 9..=15 narrow the known bits to 8, the update makes it the constant), decides `if r6 == 8` and never reaches the load through r0 (not initialised); 6.12.118 (its source) accepts too: without `tnum_step` its `reg_bounds_sync` narrows the known bits to the constant 8 while the range crosses, `reg_bounds_sanity_check` fails and `__mark_reg_unbounded` keeps var_off 8, so `if r6 == 8` is decided by the constant known bits (`NoValue::KeepBits`); 6.6.47 has no sanity check (this verifier's 6.6 target takes an unknown number there: a false reject)
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 0xfff8
if w6 < 9 goto out
if w6 < 16 goto l4
out:
r0 = 2
exit
l4:
if r6 == 8 goto out
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
