# kernel: accept
# since: 6.2
# kernel log: (a bpf_spin_lock taken and released inside an RCU read section)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
call bpf_rcu_read_lock
r1 = r6
r1 += 4
call bpf_spin_lock
r1 = r6
r1 += 4
call bpf_spin_unlock
call bpf_rcu_read_unlock
out:
r0 = 2
exit
