# kernel: accept
# type: sched_cls
# note: no range is enforced on the return value of these program types (check_return_code), so its exact value never matters
r0 = *(u32 *)(r1 + 12)
r0 += 1000
exit
