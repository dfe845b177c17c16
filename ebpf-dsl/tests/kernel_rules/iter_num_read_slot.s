# kernel: reject
# kernel log: invalid read from stack off -8+0 size 4
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r6 = *(u32 *)(r10 - 8)
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
