# kernel: accept
# flags: 3
# kernel log: (BPF_F_ANY_ALIGNMENT wins over BPF_F_STRICT_ALIGNMENT)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit
