# kernel: accept
# since: 6.7
# type: sched_cls
# The exception callback is verified even when no throw reaches it.
.global_func cb(scalar) exception_callback
r0 = 0
exit
cb:
r0 = r1
exit
