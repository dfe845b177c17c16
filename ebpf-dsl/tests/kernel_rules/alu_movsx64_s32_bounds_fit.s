# kernel: accept
# since: 6.18
# r7 is a u32 whose signed 32-bit bounds are -1..=0 (w7 s>>= 31); those fit in s16, so the
# low 32 bits are unchanged by r8 = (s16)r7 and 6.18 gives r8 = -1..=0 (6.12: any s16).
r7 = *(u32 *)(r1 + 12)
w7 s>>= 31
r8 = (s16)r7
if r8 s< -1 goto bad
if r8 s> 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
