# kernel: accept
# since: 6.12
# kernel log: w2 < w8 of two plain copies of one link (r2, r6, r8; r7 = r8 - 4 is dead, not collected): both refined, the source's value (r8 in 1..=4095) synced to every copy, so `w8 == 0` is never taken (link fuzz seed 4). 6.12-6.17 collect the dead r7 too, the link counted twice passes six and r7, r8 lose it: r8 keeps its own refined 1..=4095, the same verdict; before 6.12 a comparison of two registers refines nothing (BRANCH_RANGES)
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 &= 4095
r7 = *(u32 *)(r9 + 12)
r7 &= 4095
r8 = *(u32 *)(r9 + 16)
r8 &= 7
r8 = r6
r2 = r6
r7 = r8
r8 = r2
r7 += -4
if w2 < w8 goto l0
r0 = 0
exit
l0:
if r6 == r6 goto l1
r0 = 0
exit
l1:
if w8 == 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
