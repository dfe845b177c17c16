# kernel: reject
# kernel log: cannot pass in iter at an offset=-12
r1 = r10
r1 += -12
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -12
call bpf_iter_num_destroy
r0 = 2
exit
