# kernel: reject
# type: sched_cls
# kernel log: R6 invalid mem access 'scalar' (bpf_skb_adjust_room changes packet data)
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r2 = r6
r2 += 14
if r2 > r7 goto out
r2 = 8
r3 = 0
r4 = 0
call bpf_skb_adjust_room
r0 = *(u8 *)(r6 + 0)
out:
r0 = 0
exit
