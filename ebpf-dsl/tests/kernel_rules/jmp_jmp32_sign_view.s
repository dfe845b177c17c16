# kernel: accept
# since: 6.17
r4 = *(u32 *)(r1 + 16)
r4 &= 63
r4 = -r4
if w4 != 7 goto out
r0 = *(u64 *)(r4 + 0)
out:
r0 = 2
exit
