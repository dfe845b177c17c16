# kernel: reject
# kernel log: BPF_LD_[ABS|IND] would lead to reference leak
# type: socket_filter
r6 = r1
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r0 = *(u8 *)skb[0]
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 0
exit
