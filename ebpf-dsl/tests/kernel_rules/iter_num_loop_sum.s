# kernel: accept
# since: 6.4
# bpf_for: the loop converges at the next call (an accumulator widened)
r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto done
r1 = *(u32 *)(r0 + 0)
r6 += r1
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
