# kernel: reject
# kernel log: BPF_EXIT instruction in main prog would lead to reference leak
# a bpf_loop callback starting an iterator it does not destroy
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
r0 = 0
exit
