# kernel: accept
# since: 6.18
# kernel log: 6: (91) r7 = *(s8 *)(r10 -8) ; R7=0
# A sign-extending fill of a spilled scalar is the spilled register, coerced as `movsx`
# coerces it: the low half of r7 << 56 is 0.
r9 = *(u32 *)(r1 + 16)
if r9 > 9 goto out
r7 = r9
r7 <<= 56
*(u64 *)(r10 - 16) = r7
r7 = *(s8 *)(r10 - 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u64 *)(r0 + 8)
out:
r0 = 2
exit
