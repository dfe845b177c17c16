# kernel: reject
# kernel log: dereference of modified ctx ptr R1 off=4 disallowed.
.global_func f(ctx)
r1 += 4
call f
exit
f:
r0 = 0
exit
