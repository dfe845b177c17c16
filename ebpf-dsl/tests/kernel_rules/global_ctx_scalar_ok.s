# kernel: accept
# kernel log: Func#1 ('f') is global and assumed valid. A global function (BTF linkage
# global) of a context and a number, verified once on its own: the body reads the context,
# r0 after the call is an unknown number.
.global_func f(ctx, scalar)
r2 = 5
call f
exit
f:
r0 = *(u32 *)(r1 + 12)
r0 += r2
exit
