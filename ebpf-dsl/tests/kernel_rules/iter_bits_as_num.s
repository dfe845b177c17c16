# kernel: reject
# target: 6.18
# kernel log: expected an initialized iter_num as arg #0
*(u64 *)(r10 - 24) = 5
r1 = r10
r1 += -16
r2 = r10
r2 += -24
r3 = 1
call bpf_iter_bits_new
r1 = r10
r1 += -16
call bpf_iter_num_next
r1 = r10
r1 += -16
call bpf_iter_bits_destroy
r0 = 2
exit
