# kernel: accept
# the loop's exit path has the iterator drained: a later next gives NULL only, its result
# then never dereferenced
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 != 0 goto loop
r1 = r10
r1 += -8
call bpf_iter_num_next
r6 = r0
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = r6
exit
