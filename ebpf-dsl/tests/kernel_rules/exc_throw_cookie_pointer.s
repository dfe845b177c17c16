# kernel: reject
# type: sched_cls
# kernel log: R1 is not a scalar (the cookie is a u64).
call bpf_throw
r0 = 0
exit
