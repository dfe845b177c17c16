# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes pkt pointer be out of bounds
# As alu_movsx_ptr_exact, rX = (s8)rY, with bit 29 set by a 32-bit OR: minimum exactly 2^29,
# refused.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = (s8)r3
w4 |= 0x20000000
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
