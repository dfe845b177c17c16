# kernel: reject
# kernel log: R2 unbounded memory access / invalid variable-offset stack read. The caller
# passes 0, but a global function is verified for any number: r1 is unknown in its body.
# (subprog_static_context.s is the same program with a static function: accepted.)
.global_func f(scalar)
r1 = 0
call f
exit
f:
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r2 += r1
r0 = *(u8 *)(r2 + 0)
exit
