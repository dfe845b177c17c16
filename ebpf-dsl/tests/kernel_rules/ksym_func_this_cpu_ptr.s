# kernel: reject
# btf: vmlinux
# kernel log: R1 type=rdonly_mem expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
ld_pseudo r1, 3, btf_id(func kfree)
call bpf_this_cpu_ptr
r0 = 0
exit
