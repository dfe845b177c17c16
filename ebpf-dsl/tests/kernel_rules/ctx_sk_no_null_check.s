# kernel: reject
# type: sched_cls
# kernel log: R2 invalid mem access 'sock_common_or_null'
r2 = *(u64 *)(r1 + 168)
r0 = *(u32 *)(r2 + 4)
r0 = 0
exit
