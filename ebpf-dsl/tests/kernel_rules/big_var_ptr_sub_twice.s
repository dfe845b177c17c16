# kernel: accept
# target: 6.18
# A u32, then minus r8 (0..=0x0fffffff) twice: the kernel's minimum is exactly -2 * 0x0fffffff.
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 &= 0x0fffffff
r9 += r7
r9 -= r8
r9 -= r8
out:
r0 = 2
exit
