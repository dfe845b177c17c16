# kernel: accept
# flags: 1
# kernel log: (strict: data + 2 + NET_IP_ALIGN 2 is a multiple of 4)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 2)
r0 = *(u16 *)(r2 + 0)
r0 = *(u8 *)(r2 + 3)
out:
r0 = 2
exit
