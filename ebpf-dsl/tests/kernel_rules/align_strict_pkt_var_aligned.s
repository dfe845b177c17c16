# kernel: accept
# flags: 1
# kernel log: (strict: data + 4 * var + 2 + NET_IP_ALIGN 2 is a multiple of 4)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 <<= 2
r2 += r5
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 2)
out:
r0 = 2
exit
