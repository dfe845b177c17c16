# kernel: accept
r2 = *(u32 *)(r1 + 16)
r2 &= 0xffff
r2 += 0x10000
r2 <<= 16
if w2 > 15 goto out
r2 >>= 32
if r2 > 1 goto bad
out:
r0 = 2
exit
bad:
r0 = *(u8 *)(r2 + 0)
exit
