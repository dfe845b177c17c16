# kernel: reject
# kernel log: R1 type=scalar expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
r1 = 0
call bpf_this_cpu_ptr
r0 = 0
exit
