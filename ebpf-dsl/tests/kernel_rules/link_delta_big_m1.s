# kernel: accept
# target: 6.18
# Ours: the offset's range crosses 2^29 (0x1fffffff..=0x20000006); for 6.18 the second walk knows the offset's bounds are exactly the kernel's (exactness marks) and accepts, as the kernel does.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
r2 = r6
r2 += 0x1fffffff
r0 += r2
out:
r0 = 2
exit
