# kernel: reject
# kernel log: R4 offset is outside of the packet
# r4 = data + 8 proven safe by the first comparison; on the taken branch of the second
# (`r4 > data_end`) the kernel marks r4 past the end (mark_pkt_end: BEYOND_PKT_END), so
# nothing may be read through it, not even r4 - 1.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
if r4 > r3 goto x
r0 = 2
exit
x:
r0 = *(u8 *)(r4 - 1)
out:
r0 = 2
exit
