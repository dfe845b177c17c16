# kernel: reject
# kernel log: expected an initialized iter_num as arg #0
# a helper writing over the iterator
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
