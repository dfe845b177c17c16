# kernel: accept
# since: 6.2
# kernel log: (an RCU read section around a map lookup: helpers are fine inside)
call bpf_rcu_read_lock
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
call bpf_rcu_read_unlock
r0 = 2
exit
