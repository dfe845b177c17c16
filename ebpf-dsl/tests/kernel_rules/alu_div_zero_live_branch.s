# kernel: reject
# kernel log: div by zero
# note: the same division on a branch that runs when the packet's first byte is not 0
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = 2
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
if r0 == 0 goto out
r0 /= 0
out:
exit
