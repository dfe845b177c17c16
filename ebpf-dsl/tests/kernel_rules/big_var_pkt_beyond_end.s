# kernel: accept
# target: 6.18
# A packet pointer plus rx_queue_index (0..=0xffffffff, exactly the kernel's bounds: the
# exactness walk accepts the addition) found past data_end: the kernel marks it so
# (`mark_pkt_end`) whatever its variable offset, and the second comparison, `<= data_end`,
# is decided false: the refused load on its taken side is dead.
r7 = *(u32 *)(r1 + 16)
r9 = *(u32 *)(r1 + 0)
r5 = *(u32 *)(r1 + 4)
r4 = r9
r4 += r7
if r4 > r5 goto past
r0 = 2
exit
past:
if r4 <= r5 goto bad
r0 = 2
exit
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
exit
