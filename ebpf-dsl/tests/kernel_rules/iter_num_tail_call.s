# kernel: reject
# kernel log: tail_call would lead to reference leak
# type: sched_cls
r6 = r1
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r6
r2 = pa ll
r3 = 0
call bpf_tail_call
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 0
exit
