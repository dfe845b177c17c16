# kernel: reject
# type: sched_cls
# kernel log: R2 NULL with a non-zero size
r1 = 1
r2 = 0
r3 = 8
r4 = 0
call bpf_redirect_neigh
exit
