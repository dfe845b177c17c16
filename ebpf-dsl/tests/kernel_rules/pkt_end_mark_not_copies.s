# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# mark_pkt_end marks the compared register only, not its copies: r5 (a copy of r4) compared
# with data_end again goes both ways.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
r5 = r4
if r4 > r3 goto x
r0 = 2
exit
x:
if r5 > r3 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
