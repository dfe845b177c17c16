# kernel: reject
# type: sched_cls
# kernel log: R1 is not a scalar (r1 is not set after the helper call).
r1 = 0
call bpf_ktime_get_ns
call bpf_throw
r0 = 0
exit
