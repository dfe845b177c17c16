# kernel: reject
# type: socket_filter
r2 = *(u32 *)(r1 + 140)
r0 = 0
exit
