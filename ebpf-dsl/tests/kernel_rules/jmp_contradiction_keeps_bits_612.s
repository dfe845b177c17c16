# kernel: accept
# target: 6.12
# kernel log: (accepted; the 6.18.44 verdict, where `if r6 > 0` already makes r6 the constant 4 by `tnum_step` and `r6 < 4` is decided; 6.12.118's by its source) r6 is 0 or 4 (known bits mask 4); on 6.12 `if r6 > 0` leaves 1..=4, then `if r6 < 4` is not decided and its taken branch leaves 1..=3, no value of those bits. 6.12's `reg_bounds_sync` intersects the bits with the range's (mask 3): the constant 0, whose range 1..=0 fails `reg_bounds_sanity_check`; `__mark_reg_unbounded` keeps var_off 0. So `if r6 != 0` is decided false by the constant known bits. An unknown value (this verifier's before, for 6.12-6.17) walks it and the bad load: a false reject, not an accept; this case pins the known bits 6.12 keeps
call bpf_get_prandom_u32
r6 = r0
r6 &= 4
if r6 > 0 goto l0
r0 = 0
exit
l0:
if r6 < 4 goto l1
r0 = 1
exit
l1:
if r6 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
