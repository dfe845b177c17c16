# kernel: reject
# kernel log: R1 invalid mem access 'mem_or_null'. A pointer argument of a global function
# may be NULL (unless tagged __arg_nonnull): the body must check it, whatever the callers pass.
.global_func f(mem 8)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
exit
f:
r0 = *(u64 *)(r1 + 0)
exit
