# kernel: accept
# type: sched_cls
r6 = r1
r2 = r10
r2 += -48
r3 = 44
r4 = 0
call bpf_skb_get_tunnel_key
r1 = r6
r2 = r10
r2 += -48
r3 = 44
r4 = 0
call bpf_skb_set_tunnel_key
r0 = 0
exit
