# kernel: accept
# target: 6.18
# A number the kernel knows exactly (a `u32` of the context: 0..=0xffffffff, minimum 0) passed
# to a static subprogram, which adds it to a packet pointer. The offset's maximum reaches 2^29:
# the first walk taints the path; the second (6.18) keeps the argument's exactness mark in the
# callee (the kernel's callee starts with copies of the caller's r1-r5) and accepts, as the
# kernel does (it checks the minimum).
r6 = r1
r1 = *(u32 *)(r6 + 12)
r2 = *(u32 *)(r6 + 0)
call func
r0 = 2
exit
func:
r2 += r1
r0 = 0
exit
