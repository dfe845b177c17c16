# kernel: accept
# since: 6.7
# type: sched_cls
# An exception callback (`__exception_cb(cb)` in C: the decl tag exception_callback:cb on the
# main FUNC): a global int cb(u64 cookie), verified on its own, never called.
.global_func cb(scalar) exception_callback
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
r0 = r1
r0 += 1
exit
