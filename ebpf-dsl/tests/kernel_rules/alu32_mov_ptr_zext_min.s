# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes pkt pointer be out of bounds
# As alu32_mov_ptr_zext with bit 29 of the offset set: 0x20000000..=0xffffffff, minimum
# exactly 2^29, refused; the move's result is exactly the kernel's, so the second walk judges
# the minimum as the kernel does.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
w4 = w3
w4 |= 0x20000000
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
