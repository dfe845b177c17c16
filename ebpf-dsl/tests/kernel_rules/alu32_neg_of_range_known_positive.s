# kernel: accept
# since: 6.18
# The negation (tracked from 6.17, as `0 - w6`) of w6 in 32767..=0xfc10af66 (a mask, then
# `w6 < 32767` out): 6.18.44 gives umin=umin32=0x3ef509a, umax=0xffff8001 (every difference
# `0 - x` underflows, so the wrapped range is kept: `scalar32_min_max_sub`), so `r6 <= 256`
# never holds and `bad` is dead. Gated at 6.18 with ADD_SUB_WRAP (the wrapping rule may be
# 6.17's too; no 6.17 source was read): a 6.17 target keeps no lower bound and refuses it.
# Found by the alu32 fuzzer, seed 1562378241, program #424.
# kernel log: 4: (84) w6 = -w6 ; R6=scalar(smin=umin=umin32=0x3ef509a,smax=umax=umax32=0xffff8001,smax32=0x7ffffffe,var_off=(0x0; 0xfffffffe))
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 4228951910
if w6 < 32767 goto out
w6 = -w6
if r6 <= 256 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
