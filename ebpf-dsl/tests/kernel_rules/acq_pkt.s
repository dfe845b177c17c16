# kernel: reject
# target: 6.18
# kernel log: BPF_ATOMIC loads from R2 pkt is not allowed
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
w5 = load_acquire((u16 *)(r2 + 0))
out:
r0 = 2
exit
