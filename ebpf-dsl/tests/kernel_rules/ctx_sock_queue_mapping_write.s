# kernel: reject
# type: socket_filter
r2 = 1
*(u32 *)(r1 + 12) = r2
r0 = 0
exit
