# kernel: reject
# type: sched_cls
# kernel log: invalid kernel function call not eliminated in verifier pass
# The same call of BTF id 0 on the path taken: refused (after the walk, in the kernel).
r0 = 1
if r0 > 1 goto +2
.8byte 0x0000000000002085
r0 = 1
exit
