# kernel: accept
# ours: reject
# why ours rejects: `w6 += -20` wraps the 32-bit range, so the zero-extended offset is 0..=0xffffffff and its minimum 0 (the kernel's too: it accepts); this verifier's minimum is 0 as well, but it cannot show the kernel's is not larger (its bounds can be tighter), so it taints the path
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
