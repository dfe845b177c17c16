# kernel: reject
# kernel log: math between fp pointer and 1073741824 is not allowed
# As `fill32_single_value`, with the number built as in the offset fuzzer's program (seed
# 1228001, #137328): w2 of a u64 bounded in 32 bits both ways, zero-extended into r3, its
# positive branch shifted left by 30, then `w3 s< 0x1ffffff0` out: the 4-byte fill of r3 is
# the constant 2^30 for 6.18.
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r2 = *(u64 *)(r9 + 0)
if w2 s> 536870928 goto out
if w2 > -536870911 goto out
w3 = w2
if r3 s> 0 goto a0
goto out
a0:
r3 <<= 30
if w3 s< 536870896 goto out
*(u32 *)(r10 - 24) = r3
r7 = *(u32 *)(r10 - 24)
r4 = r10
r4 += r7
out:
r0 = 2
exit
