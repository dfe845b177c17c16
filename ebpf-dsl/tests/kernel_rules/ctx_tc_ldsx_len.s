# kernel: accept
# type: sched_cls
# A sign-extending narrow load of __sk_buff.len (bpf_skb_is_valid_access refuses is_ldsx for
# data / data_meta / data_end only): -32768..32767, + 32768 is 0..65535.
r2 = *(s16 *)(r1 + 0)
r2 += 32768
if r2 > 65535 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r2 + 0)
exit
