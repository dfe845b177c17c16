# kernel: reject
# kernel log: unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
call bpf_rcu_read_unlock
r0 = 2
exit
