# kernel: accept
# type: sched_cls
r1 = 1
r2 = 0
r3 = 0
r4 = 0
call bpf_redirect_neigh
exit
