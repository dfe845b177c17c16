# kernel: accept
# target: 6.18
# A 32-bit move of a pointer (a privileged loader's) is any u32: the kernel marks the
# register unknown, then zero-extends it (check_alu_op: mark_reg_unknown, zext_32_to_64), so
# the offset is 0..=0xffffffff with minimum 0 and adding it to the packet pointer is
# accepted. Session 27: this verifier made it a wholly unknown 64-bit number and refused
# (unbounded minimum).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
w4 = w3
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
