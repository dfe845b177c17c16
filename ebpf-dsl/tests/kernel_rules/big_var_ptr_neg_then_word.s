# kernel: accept
# target: 6.18
# A u32 minus 0x1fffffff (minimum -0x1fffffff, exact) first, then a u32: the kernel's minimum
# stays exactly -0x1fffffff.
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 += -0x1fffffff
r9 += r8
r9 += r7
out:
r0 = 2
exit
