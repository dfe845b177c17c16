# kernel: accept
# since: 6.18
# note: bpf_get_cgroup_classid (17) outside tc is the current task's classid, without
# arguments (bpf_get_cgroup_classid_curr_proto; 6.12 offered it to XDP not at all)
call bpf_get_cgroup_classid
r0 = 2
exit
