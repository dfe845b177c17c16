# kernel: accept
# type: sched_cls
# A tc program's global function of its context reads __sk_buff fields.
.global_func f(ctx)
call f
r0 = 0
exit
f:
r0 = *(u32 *)(r1 + 0)
exit
