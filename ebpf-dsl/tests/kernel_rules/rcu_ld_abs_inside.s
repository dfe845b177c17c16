# kernel: reject
# type: socket_filter
# kernel log: BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region
r6 = r1
call bpf_rcu_read_lock
r0 = *(u8 *)skb[0]
call bpf_rcu_read_unlock
r0 = 0
exit
