# kernel: reject
# type: sched_cls
# kernel log: R1 invalid mem access 'scalar'. The callback is verified even though no throw
# reaches it, and its r1 is the cookie, a number (not the context).
.global_func cb(scalar) exception_callback
r0 = 0
exit
cb:
r0 = *(u32 *)(r1 + 0)
exit
