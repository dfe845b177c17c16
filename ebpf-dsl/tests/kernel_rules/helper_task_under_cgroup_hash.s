# kernel: reject
# kernel log: cannot pass map_type 1 into func bpf_current_task_under_cgroup#37
r1 = h ll
r2 = 0
call bpf_current_task_under_cgroup
r0 = 2
exit
