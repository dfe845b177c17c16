# kernel: reject
# kernel log: math between pkt pointer and 536870912 is not allowed
# r3's low half is in 0xfffffff..=0x2000000f with known bits (0; 0x20000010) (its upper half
# unknown, so the 64-bit range holds more than one value); `w3 = w3` zero-extends it, and
# 6.18's `reg_bounds_sync` after the move makes the constant 0x20000000 of the range
# 0xfffffff..=0x2000000f (the only value of the known bits in it: `tnum_step`), 2^29, which
# a packet pointer may not be moved by.
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r2 = *(u64 *)(r9 + 0)
r2 <<= 32
r3 = *(u32 *)(r9 + 8)
w3 &= 0x20000010
r3 |= r2
if w3 < 0xfffffff goto out
if w3 > 0x2000000f goto out
w3 = w3
r4 = *(u32 *)(r8 + 0)
r4 += r3
out:
r0 = 2
exit
