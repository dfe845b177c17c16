# kernel: accept
# since: 6.12
.global_func f(scalar)
.global_func g(mem 4 nonnull)
r1 = 1
call f
exit
f:
*(u32 *)(r10 - 4) = 0
r1 = r10
r1 += -4
call g
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
