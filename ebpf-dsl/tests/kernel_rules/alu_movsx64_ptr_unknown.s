# kernel: reject
# kernel log: 5: (79) r0 = *(u64 *)(r0 +0) ... R0 invalid mem access 'scalar'
# The 64-bit twin of alu_mov32_ptr_zero_extends.s: `r4 = (s32)r1` of a pointer is wholly
# unknown (no zero extension), so `r4 += 8` may wrap below 8 and `bad` is walked.
r4 = r1
r4 = (s32)r4
r4 += 8
if r4 > 7 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
