# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=80 size=4
# __sk_buff.data_end may not be read with a sign-extending load (bpf_skb_is_valid_access).
r2 = *(s32 *)(r1 + 80)
r0 = 0
exit
