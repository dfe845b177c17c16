# kernel: accept
# type: socket_filter
# A socket filter reads __sk_buff.mark with a sign-extending load.
r0 = *(s32 *)(r1 + 8)
r0 = 0
exit
