# kernel: reject
# kernel log: BPF_ATOMIC stores into R1 ctx is not allowed
w2 = 1
lock *(u32 *)(r1 + 0) += w2
r0 = 2
exit
