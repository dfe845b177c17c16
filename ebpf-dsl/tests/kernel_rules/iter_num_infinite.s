# kernel: reject
# kernel log: infinite loop detected at insn 6
# a loop that never calls next: the same state each round
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r6 = 0
loop:
if r6 == 0 goto loop
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
