# kernel: accept
# target: 6.18
# Ours: bit 28 known set after the swap: the offset is 0x10000000..=0xff000000, its minimum below 2^29 (the kernel accepts); for 6.18 the second walk knows the offset's bounds are exactly the kernel's (exactness marks) and accepts, as the kernel does.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 0xff
r6 |= 0x10
r6 = be32 r6
r0 += r6
out:
r0 = 2
exit
