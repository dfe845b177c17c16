# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes map_value pointer be out of bounds
# The reject side of alu_big_offset_exact_jset.s: r6 is 0..=0x3fffffff; the fall-through of
# `if r6 & 0x20000000` (bit 29 clear, 0..=0x1fffffff) may be added to the pointer, but the
# taken branch knows bit 29 set: its minimum is 2^29, refused by the kernel and by us.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 0x3fffffff
if r6 & 0x20000000 goto big
r0 += r6
goto out
big:
r0 += r6
out:
r0 = 2
exit
