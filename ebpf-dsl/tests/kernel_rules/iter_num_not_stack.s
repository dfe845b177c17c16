# kernel: reject
# kernel log: arg#0 expected pointer to an iterator on stack
r2 = 0
r3 = 10
call bpf_iter_num_new
r0 = 2
exit
