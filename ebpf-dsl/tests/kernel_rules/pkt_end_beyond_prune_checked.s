# kernel: accept
# The same paths as pkt_end_beyond_prune_in_bounds, r6 checked against 0 before the read:
# the path with r6 = 0 and r4 in bounds is walked (not pruned by the past-the-end state) and
# safe.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
r6 = 0
if r4 > r3 goto l1
r6 = r2
l1:
r0 = 0
r5 = 0
r4 = r2
r4 += 48
if r4 > r3 goto l2
r5 = 1
l2:
r0 = 1
if r4 > r3 goto out
if r6 == 0 goto out
r0 = *(u8 *)(r6 + 0)
out:
r0 = 2
exit
