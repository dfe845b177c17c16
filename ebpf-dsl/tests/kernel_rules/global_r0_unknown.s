# kernel: reject
# kernel log: R1 invalid variable-offset stack read / unbounded. The function returns 0, but
# a global function's r0 is an unknown number to its caller.
.global_func f()
call f
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r1 += r0
r0 = *(u8 *)(r1 + 0)
exit
f:
r0 = 0
exit
