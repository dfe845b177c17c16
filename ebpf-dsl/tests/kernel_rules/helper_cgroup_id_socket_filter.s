# kernel: accept
# since: 6.6
# type: socket_filter
# bpf_get_current_cgroup_id and bpf_get_current_ancestor_cgroup_id are in 6.6.47's
# bpf_base_func_proto (its bpf_capable cases, CONFIG_CGROUPS), not in 6.1.192's; the
# process ones (bpf_get_current_pid_tgid, _ns_) come later (helper_ns_pid_tgid: 6.12).
call bpf_get_current_cgroup_id
r1 = 0
call bpf_get_current_ancestor_cgroup_id
r0 = 0
exit
