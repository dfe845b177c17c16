# kernel: accept
# since: 6.2
# kernel log: (a function of the program may return with the section open; the main program closes it)
call f
call bpf_rcu_read_unlock
r0 = 2
exit
f:
call bpf_rcu_read_lock
r0 = 0
exit
