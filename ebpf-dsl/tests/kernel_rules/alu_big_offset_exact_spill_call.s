# kernel: accept
# target: 6.18
# The shape of TripleCross's tc classifier: a zero-extended 32-bit difference that may wrap
# (0..=0xffffffff, minimum 0 for the kernel too), one operand kept on the stack across a helper
# call, added to a map value pointer. The offset's maximum reaches 2^29: the first walk taints
# the path; the second (6.18) knows every step's bounds are exactly the kernel's and accepts.
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
*(u64 *)(r10 - 16) = r6
call bpf_get_prandom_u32
r6 = *(u64 *)(r10 - 16)
w6 -= w7
r9 += r6
out:
r0 = 2
exit
