# kernel: reject
# kernel log: BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
call bpf_rcu_read_lock
r0 = 2
exit
