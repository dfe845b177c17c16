# kernel: reject
# kernel log: bpf_throw would lead to reference leak
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = 0
call bpf_throw
r0 = 2
exit
