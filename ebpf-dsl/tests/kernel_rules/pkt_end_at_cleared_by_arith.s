# kernel: reject
# until: 6.18
# type: sched_cls
# kernel log: R9 offset is outside of the packet
# r9 = data + 256 is at or past data_end on the taken branch, but the mark does not survive
# `r9 -= 256`: the next comparison is not decided, and `data + 0 < data_end` gives no range
# to read r9's first byte through.
r9 = *(u32 *)(r1 + 76)
r8 = *(u32 *)(r1 + 80)
r9 += 256
if r9 >= r8 goto at
r0 = 0
exit
at:
r9 -= 256
if r9 < r8 goto read
r0 = 0
exit
read:
r0 = *(u8 *)(r9 + 0)
r0 = 0
exit
