# kernel: accept
# since: 6.18
# kernel log: 5: (bf) r7 = (s8)r7 ; R7=0 (6.12: smin=-128,smax=127, then "R0 min value is negative")
# The 64-bit range of r7 << 56 spans many 256-blocks, but its low 32 bits are 0: 6.18's
# coerce_reg_to_size_sx takes the signed 32-bit range when it fits the narrower type.
r9 = *(u32 *)(r1 + 16)
if r9 > 9 goto out
r7 = r9
r7 <<= 56
r7 = (s8)r7
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
