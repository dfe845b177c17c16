# kernel: reject
# kernel log: Validating g() func#2... R1 invalid mem access 'mem_or_null'. Global functions
# called from global functions are verified too, each on its own.
.global_func f(scalar)
.global_func g(mem 4)
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
