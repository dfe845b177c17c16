# kernel: reject
# type: sched_act
# kernel log: calling kernel function bpf_throw is not allowed (the generic kfunc set is
# registered for sched_cls, not sched_act).
r1 = 1
call bpf_throw
r0 = 0
exit
