# kernel: accept
*(u64 *)(r10 - 8) = r1
r1 = 5
lock *(u64 *)(r10 - 8) += r1
r0 = 0
exit
