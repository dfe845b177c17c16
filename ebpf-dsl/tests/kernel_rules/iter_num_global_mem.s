# kernel: reject
# kernel log: Caller passes invalid args into func#1 ('g')
# a global function reading 8 bytes of memory given the iterator's
.global_func g(mem 8)
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -8
call g
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
g:
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
