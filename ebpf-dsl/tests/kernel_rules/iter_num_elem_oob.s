# kernel: reject
# kernel log: invalid access to memory, mem_size=4 off=4 size=4
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto done
r1 = *(u32 *)(r0 + 4)
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
