# kernel: reject
# kernel log: unbounded variable offset. A stack buffer passed to a global function is
# clobbered (check_mem_reg, as for a helper): the zero stored there is unknown after the call.
.global_func f(mem 8)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
r2 = *(u64 *)(r10 - 8)
*(u64 *)(r10 - 16) = 0
r1 = r10
r1 += -16
r1 += r2
r0 = *(u8 *)(r1 + 0)
exit
f:
r0 = 0
exit
