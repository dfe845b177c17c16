# kernel: reject
# kernel log: At subprogram exit the register R0 is not a scalar value (ctx).
.global_func f(ctx)
call f
r0 = 0
exit
f:
r0 = r1
exit
