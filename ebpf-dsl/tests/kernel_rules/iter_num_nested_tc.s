# kernel: accept
# type: sched_cls
# bpf_for inside bpf_for: two iterators, an accumulator widened in both loops
r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
outer:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto out_done
r7 = *(u32 *)(r0 + 0)
r1 = r10
r1 += -16
r2 = 0
r3 = r7
call bpf_iter_num_new
inner:
r1 = r10
r1 += -16
call bpf_iter_num_next
if r0 == 0 goto in_done
r1 = *(u32 *)(r0 + 0)
r6 += r1
goto inner
in_done:
r1 = r10
r1 += -16
call bpf_iter_num_destroy
goto outer
out_done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
