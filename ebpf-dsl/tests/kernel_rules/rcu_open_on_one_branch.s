# kernel: reject
# kernel log: BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
r6 = *(u32 *)(r1 + 12)
call bpf_rcu_read_lock
if r6 > 10 goto out
call bpf_rcu_read_unlock
out:
r0 = 2
exit
