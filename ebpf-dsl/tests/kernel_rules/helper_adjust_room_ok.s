# kernel: accept
# type: sched_cls
r2 = 8
r3 = 0
r4 = 0
call bpf_skb_adjust_room
r0 = 0
exit
