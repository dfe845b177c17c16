# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (the drained round: r0 = NULL)
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -8
call bpf_iter_num_next
r6 = *(u32 *)(r0 + 0)
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
