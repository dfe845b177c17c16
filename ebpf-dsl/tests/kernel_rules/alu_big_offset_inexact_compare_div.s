# kernel: accept
# target: 6.18
# ours: reject
# why ours rejects: r6 is compared with r8, a quotient (`/=`, whose bounds this verifier does not claim are exactly the kernel's): the kernel refines r6 from r8's bounds (its own), which may not be ours, so the second walk drops r6's exactness mark at the comparison and the wrapping difference after it (0..=0xffffffff, minimum 0 for the kernel too) stays tainted
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r6 &= 0xffff
r7 &= 0x3c
r8 = r7
r8 /= 3
if r6 > r8 goto out
w6 -= w7
r9 += r6
out:
r0 = 2
exit
