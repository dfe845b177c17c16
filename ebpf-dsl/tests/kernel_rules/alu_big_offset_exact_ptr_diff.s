# kernel: accept
# target: 6.18
# The offset added to the packet pointer is the low half of `data_end - data`: the kernel
# makes a pointer minus a pointer a wholly unknown number (`mark_reg_unknown`), so after
# `<<= 32` and `>>= 32` its bounds are exactly 0..=0xffffffff, minimum 0, and it accepts
# adding it (the result is only compared). The 2^29 class's second walk marks such a
# difference exact when ours is wholly unknown too (session 27: XDP-Proxy's prog.c).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r3
r4 -= r2
r4 <<= 32
r4 >>= 32
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
