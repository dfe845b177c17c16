# kernel: reject
# kernel log: math between map_value pointer and 1073741824 is not allowed
# As jset_taken_no_value_constant.s with bit 30 tested: on the taken branch of `w6 &
# 0x40000000` (no value of r6's ranges has it) 6.18 goes on with the constant 0x40000000,
# 2^29 or more, which a map value pointer may not be moved by (older kernels: an unbounded
# offset, refused too).
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 0x80000000
r6 = (s32)r6
if w6 & 0x40000000 goto t1
goto out
t1:
*(u32 *)(r10 - 64) = 0
r2 = r10
r2 += -64
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
*(u8 *)(r0 + 0) = 1
out:
r0 = 2
exit
