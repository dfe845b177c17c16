# kernel: reject
# type: sched_cls
# kernel log: tail_call cannot be used inside bpf_rcu_read_lock-ed region
r6 = r1
call bpf_rcu_read_lock
r1 = r6
r2 = pa ll
r3 = 0
call bpf_tail_call
call bpf_rcu_read_unlock
r0 = 0
exit
