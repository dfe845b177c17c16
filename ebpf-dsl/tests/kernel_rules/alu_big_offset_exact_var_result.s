# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes map_value pointer be out of bounds
# The pointer's variable offset is 0x18000000..=0x180000ff; the exact offset added to it,
# 0x08000000..=0xffffffff, has a minimum below 2^29, but the result's minimum is
# 0x18000000 + 0x08000000 = 2^29: refused (the second walk's judgement of an exact offset
# still checks the result).
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r7 &= 0xff
r7 |= 0x18000000
r9 += r7
r6 |= 0x08000000
r9 += r6
out:
r0 = 2
exit
