# kernel: accept
# target: 6.18
# A u32, then r8 in 0x1fffffff..=0x3fffdfff added and subtracted again: the kernel's minimum
# before the subtraction is exactly 0x1fffffff, after it 0x1fffffff - 0x3fffdfff, within the
# limit, though the subtracted maximum is past 2^29.
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 &= 0xffff
r8 <<= 13
r8 += 0x1fffffff
r9 += r7
r9 += r8
r9 -= r8
out:
r0 = 2
exit
