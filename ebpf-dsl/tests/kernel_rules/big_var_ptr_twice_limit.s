# kernel: reject
# kernel log: map_value pointer offset 536870912 is not allowed
# target: 6.18
# Two exact offsets added in turn to a map value pointer: 0x10000000..=0x1fffffff, then
# 0x10000000..=0x100000ff. The kernel's minimum of the second sum is the pointer's minimum
# (0x10000000, exactly known) plus the scalar's: 2^29, refused (6.18 logs it as the pointer's
# offset).
r7 = *(u32 *)(r1 + 16)
r7 &= 0x0fffffff
r7 |= 0x10000000
r8 = *(u32 *)(r1 + 12)
r8 &= 0xff
r8 += 0x10000000
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r4 = r0
r4 += r7
r4 += r8
out:
r0 = 0
exit
