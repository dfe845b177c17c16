# kernel: accept
# since: 6.17
# kernel log: 4: (87) r7 = -r7 ; R7=scalar(smin=0xffffffff00000001,smax=0,umax=0xffffffff00000001,smin32=0,smax32=umax32=1,var_off=(0x0; 0xffffffff00000001))
# A 64-bit negation computes the 32-bit bounds too (`scalar32_min_max_sub` of `0 - r7` next to
# the 64-bit one): w7 is -1 or 0 (s32 -1..=0, u32 0..=0xffffffff), so after `r7 = -r7` its low
# half is 0 or 1 and `w7 > 1` never holds. Before 6.17 the negation is not tracked. (Found by
# the alu32 fuzzer, seed 21001, program #8062: the 64-bit negation kept no 32-bit bounds.)
r9 = r1
r7 = *(u32 *)(r9 + 12)
w7 &= 1
w7 = -w7
r7 = -r7
if w7 > 1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
