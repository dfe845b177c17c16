# kernel: accept
# since: 6.12
# type: socket_filter
r1 = 0
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_get_ns_current_pid_tgid
call bpf_get_current_pid_tgid
call bpf_get_current_cgroup_id
r1 = 0
call bpf_get_current_ancestor_cgroup_id
r0 = 0
exit
