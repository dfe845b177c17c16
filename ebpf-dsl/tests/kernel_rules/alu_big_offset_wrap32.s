# kernel: accept
# target: 6.18
# Ours: `w6 += -20` wraps the 32-bit range, so the zero-extended offset is 0..=0xffffffff and its minimum 0 (the kernel's too: it accepts); for 6.18 the second walk knows the offset's bounds are exactly the kernel's (exactness marks) and accepts, as the kernel does.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 0xff
w6 += -20
r0 += r6
out:
r0 = 2
exit
