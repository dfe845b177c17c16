# kernel: accept
# next on a drained iterator: NULL again, no new round
r1 = r10
r1 += -8
r2 = 0
r3 = 3
call bpf_iter_num_new
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 != 0 goto loop
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto done
r1 = *(u32 *)(r0 + 0)
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
