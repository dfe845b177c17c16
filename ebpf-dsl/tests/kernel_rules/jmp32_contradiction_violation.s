# kernel: reject
# kernel log: math between fp pointer and register with unbounded min value (`if w6 < 16` is taken by no value of w6, a multiple of 8 of at least 9 whose upper half is unknown; 6.18.44's bounds sync leaves the low half 8 against the 32-bit range 9..=8, logs "verifier bug: REG INVARIANTS VIOLATION (true_reg1)" and goes on with r6's bounds unbounded, only its known bits kept: the branch is walked, r6 is no constant)
call bpf_get_prandom_u32
r6 = r0
r6 &= -8
if w6 < 9 goto out
if w6 < 16 goto l4
out:
r0 = 2
exit
l4:
r1 = r10
r1 += r6
r0 = 1
exit
