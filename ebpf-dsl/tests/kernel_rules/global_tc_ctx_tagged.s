# kernel: accept
# type: sched_cls
# since: 6.12
# A tc program's global function of its context given by the tag (`void *` tagged
# `arg:ctx`) reads __sk_buff fields; before the tags are read (6.6.47) the function is
# refused. `global_tc_ctx` is the typed form (`struct __sk_buff *`), taken by every kernel.
.global_func f(ctx tagged)
call f
r0 = 0
exit
f:
r0 = *(u32 *)(r1 + 0)
exit
