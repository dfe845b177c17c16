# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes pkt pointer be out of bounds
# As alu32_sub_ptr_exact with bit 29 set by a 32-bit OR: 0x20000000..=0xffffffff, minimum
# exactly 2^29, refused.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
w4 -= w2
w4 |= 0x20000000
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
