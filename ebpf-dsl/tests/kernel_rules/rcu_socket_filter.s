# kernel: accept
# since: 6.2
# type: socket_filter
# kernel log: (bpf_rcu_read_lock is in the kernel's common kfunc set: every program type)
call bpf_rcu_read_lock
call bpf_rcu_read_unlock
r0 = 0
exit
