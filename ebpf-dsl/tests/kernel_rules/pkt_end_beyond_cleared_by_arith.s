# kernel: reject
# until: 6.18
# type: sched_cls
# kernel log: R9 offset is outside of the packet
# Past data_end (`r9 > r8`), then moved back by a constant: the mark is gone, so the second
# `r9 > r8` goes both ways, and its fall-through (`data + 0 <= data_end`) gives no range to
# read a byte through.
r9 = *(u32 *)(r1 + 76)
r8 = *(u32 *)(r1 + 80)
r9 += 64
if r9 > r8 goto past
r0 = 0
exit
past:
r9 += -64
if r9 > r8 goto out
r0 = *(u8 *)(r9 + 0)
out:
r0 = 0
exit
