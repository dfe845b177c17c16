# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes pkt pointer be out of bounds
# As alu_big_offset_exact_ptr_diff, with bit 29 of the offset set: the low half of
# `data_end - data` ORed with 2^29 has exactly the minimum 2^29, refused.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
r4 -= r2
r4 <<= 32
r4 >>= 32
r4 |= 0x20000000
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
