# kernel: accept
# since: 6.7
# type: sched_cls
# A global function throws (verified on its own: the throw ends its path).
.global_func g(scalar)
r1 = *(u32 *)(r1 + 16)
call g
r0 = 0
exit
g:
if r1 != 8 goto ok
call bpf_throw
ok:
r0 = 0
exit
