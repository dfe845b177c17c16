# kernel: accept
# since: 6.12
r4 = *(u32 *)(r1 + 16)
r4 *= 4
if r4 != 6 goto out
r0 = *(u64 *)(r4 + 0)
out:
r0 = 2
exit
