# kernel: reject
# kernel log: R1 type=ctx expected=fp, pkt, ... The context is not memory of a global
# function's pointer argument.
.global_func f(mem 4)
call f
exit
f:
r0 = 0
exit
