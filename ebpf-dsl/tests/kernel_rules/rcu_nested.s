# kernel: reject
# kernel log: nested rcu read lock (kernel function bpf_rcu_read_lock)
call bpf_rcu_read_lock
call bpf_rcu_read_lock
call bpf_rcu_read_unlock
call bpf_rcu_read_unlock
r0 = 2
exit
