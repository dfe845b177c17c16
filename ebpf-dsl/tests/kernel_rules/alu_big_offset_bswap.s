# kernel: reject
# kernel log: value 536870912 makes map_value pointer be out of bounds
# Byte 0 has bit 5 set, so after the 32-bit byte swap bit 29 is known set: the minimum is 2^29.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 0xff
r6 |= 0x20
r6 = be32 r6
r0 += r6
out:
r0 = 2
exit
