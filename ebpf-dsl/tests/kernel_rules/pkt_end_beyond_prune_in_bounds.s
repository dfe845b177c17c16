# kernel: reject
# kernel log: R6 invalid mem access 'scalar'
# A state whose r4 = data + 48 is marked past data_end (its later `if r4 > r3` decided, r6
# never read below it) does not cover one whose r4 is in bounds: the kernel's regsafe takes a
# negative packet range (BEYOND_PKT_END) only as the same mark. Here the path with r6 = 0 (data
# + 14 past the end) and r4 in bounds (a path the kernel walks: it does not link the two
# checks) reaches `l2` after the past-the-end one with r6 a packet pointer; it reads through
# r6 = 0 (clang -O1's zonelimit of XDPeriments with its NULL check deleted).
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
r0 = *(u8 *)(r6 + 0)
out:
r0 = 2
exit
