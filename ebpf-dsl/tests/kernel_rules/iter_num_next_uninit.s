# kernel: reject
# kernel log: expected an initialized iter_num as arg #0
r1 = r10
r1 += -8
call bpf_iter_num_next
r0 = 2
exit
