# kernel: accept
# since: 6.12
r4 = *(u32 *)(r1 + 16)
w4 *= -8
if r4 != 9 goto out
r0 = *(u64 *)(r4 + 0)
out:
r0 = 2
exit
