# kernel: reject
# kernel log: expected an initialized iter_num as arg #0 (the store made the slot plain bytes)
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
