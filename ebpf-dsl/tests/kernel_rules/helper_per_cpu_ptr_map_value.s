# kernel: reject
# type: sched_cls
# kernel log: R1 type=map_value expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = 0
call bpf_per_cpu_ptr
out:
r0 = 0
exit
