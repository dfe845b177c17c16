# kernel: reject
# target: 6.18
# kernel log: BPF_ATOMIC stores into R2 pkt is not allowed
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
w5 = 0
store_release((u8 *)(r2 + 0), w5)
out:
r0 = 2
exit
