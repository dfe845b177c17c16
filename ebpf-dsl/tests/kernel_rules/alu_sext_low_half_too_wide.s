# kernel: reject
# kernel log: R0 min value is negative, either use unsigned index or do a if (index >=0) check.
# The low half is 256..=319, which does not fit in s8, and the 64-bit range (unknown upper
# half) spans blocks: (s8) gives -128..=127 on every version.
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
if r6 > 63 goto out
r6 |= 0x100
r7 <<= 32
r6 |= r7
r6 = (s8)r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
