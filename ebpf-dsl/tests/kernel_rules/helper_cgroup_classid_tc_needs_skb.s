# kernel: reject
# type: sched_cls
# kernel log: R1 type=scalar expected=ctx
# note: in tc, bpf_get_cgroup_classid takes the __sk_buff (bpf_get_cgroup_classid_proto)
r1 = 0
call bpf_get_cgroup_classid
r0 = 0
exit
