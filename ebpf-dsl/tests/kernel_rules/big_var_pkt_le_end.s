# kernel: reject
# kernel log: R4 offset is outside of the packet
# target: 6.18
# A packet pointer plus rx_queue_index (0..=0xffffffff, exactly the kernel's bounds: the
# exactness walk accepts the addition) found at most data_end: with a variable offset past
# 0xffff (`MAX_PACKET_OFF`) the kernel proves no byte safe (`find_good_pkt_pointers`), so the
# load through it is refused.
r7 = *(u32 *)(r1 + 16)
r9 = *(u32 *)(r1 + 0)
r5 = *(u32 *)(r1 + 4)
r4 = r9
r4 += r7
r3 = r4
r3 += 1
if r3 > r5 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 2
exit
