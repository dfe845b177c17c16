# kernel: accept
# type: socket_filter
r2 = 0
r3 = r10
r3 += -20
r4 = 20
r5 = 1
call bpf_skb_load_bytes_relative
r0 = *(u32 *)(r10 - 20)
r0 = 0
exit
