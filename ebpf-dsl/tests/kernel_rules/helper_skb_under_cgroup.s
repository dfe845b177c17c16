# kernel: accept
# type: sched_cls
r2 = cg ll
r3 = 0
call bpf_skb_under_cgroup
r0 = 0
exit
