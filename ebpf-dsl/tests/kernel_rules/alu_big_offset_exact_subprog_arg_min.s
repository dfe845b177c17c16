# kernel: reject
# target: 6.18
# kernel log: value 536870912 makes pkt pointer be out of bounds
# The near miss of alu_big_offset_exact_subprog_arg.s: the argument is 2^29 plus a `u32`, so
# its minimum (the kernel's too) is 2^29, and the callee's `pointer += scalar` is refused.
r6 = r1
r1 = *(u32 *)(r6 + 12)
r1 += 0x20000000
r2 = *(u32 *)(r6 + 0)
call func
r0 = 2
exit
func:
r2 += r1
r0 = 0
exit
