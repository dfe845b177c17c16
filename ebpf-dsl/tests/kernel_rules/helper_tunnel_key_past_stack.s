# kernel: reject
# type: sched_cls
# kernel log: invalid indirect access to stack
r2 = r10
r2 += -40
r3 = 44
r4 = 0
call bpf_skb_get_tunnel_key
r0 = 0
exit
