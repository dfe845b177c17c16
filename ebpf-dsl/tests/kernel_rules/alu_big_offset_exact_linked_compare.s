# kernel: accept
# target: 6.18
# `r7 = r6` links the two (one scalar id); `if r7 > 0x30000000` refines r7 and, through the
# link, r6 (the kernel's `sync_linked_regs`): r6 is 0..=0x30000000, minimum 0, so the kernel
# accepts `r0 += r6`. The first walk taints the path (the maximum reaches 2^29); the second
# (6.18) keeps r6's exactness mark through the comparison (exact operands, the linked copy's
# refinement the kernel's) and accepts.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r7 = r6
if r7 > 0x30000000 goto out
r0 += r6
out:
r0 = 2
exit
