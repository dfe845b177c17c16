# kernel: reject
# kernel log: (BPF_ATOMIC stores into R1 ctx is not allowed)
r6 = r1
r2 = *(u32 *)(r1 + 16)
r2 &= 7
r1 += r2
r3 = 1
lock *(u32 *)(r1 + 0) += w3
r0 = 2
exit
