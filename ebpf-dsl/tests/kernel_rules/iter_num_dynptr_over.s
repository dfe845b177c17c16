# kernel: reject
# kernel log: expected an initialized iter_num as arg #0 (the dynptr took the slot; the iterator is lost)
# a dynptr made over the iterator's slot
r6 = r1
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
