# kernel: accept
# A stack slot not passed to the global function keeps its value across the call.
.global_func f(mem 8)
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
r2 = *(u64 *)(r10 - 16)
r1 = r10
r1 += -16
r1 += r2
r0 = *(u8 *)(r1 + 0)
exit
f:
r0 = 0
exit
