# kernel: accept
# type: socket_filter
r2 = 7
*(u64 *)(r1 + 48) = r2
r0 = *(u64 *)(r1 + 56)
r0 = 0
exit
