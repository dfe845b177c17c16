# kernel: reject
# kernel log: R0 unbounded memory access, make sure to bounds check any such access
r6 = r1
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r9 = *(u32 *)(r6 + 16)
if r9 > 63 goto out
r4 = r9
r4 ^= 2147483647
w4 *= 3
*(u64 *)(r10 - 48) = r4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto mv1
r4 = *(u64 *)(r10 - 48)
if r4 & 2147483639 goto mv1
r0 += r4
r1 = *(u64 *)(r0 + 0)
mv1:
r0 = 0
exit
out:
r0 = 2
exit
