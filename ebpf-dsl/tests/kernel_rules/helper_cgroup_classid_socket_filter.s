# kernel: accept
# type: socket_filter
# since: 6.18
# note: the current task's classid (no argument), as in XDP
call bpf_get_cgroup_classid
r0 = 0
exit
