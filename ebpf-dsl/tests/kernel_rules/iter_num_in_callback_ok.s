# kernel: accept
# a bpf_loop callback running a whole bpf_for loop
r1 = 2
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
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
call bpf_iter_num_destroy
r0 = 0
exit
