# kernel: reject
# kernel log: expected an initialized iter_num as arg #0
# a variable-offset stack pointer to the iterator
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
call bpf_get_prandom_u32
r0 &= 8
r1 = r10
r1 += -16
r1 += r0
call bpf_iter_num_destroy
r0 = 2
exit
