# kernel: accept
# note: r0 is the constant 0, so `if r0 == 0` is always taken (is_branch_taken) and the division by the constant 0 is never checked: the kernel's `div by zero` is in check_alu_op, on reachable instructions only
r0 = 0
if r0 == 0 goto out
r0 /= 0
out:
exit
