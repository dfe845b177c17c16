# kernel: accept
# since: 6.4
# type: sched_cls
*(u32 *)(r1 + 8) = 1
r0 = 0
exit
