# kernel: accept
# since: 6.2
# kernel log: (opened and closed under the same condition: each path balanced)
r6 = *(u32 *)(r1 + 12)
if r6 > 10 goto skip
call bpf_rcu_read_lock
skip:
if r6 > 10 goto out
call bpf_rcu_read_unlock
out:
r0 = 2
exit
