# kernel: accept
# r1 is r0 plus 256 in 32 bits (`w1 += 256`, a 32-bit delta): past `if r1 > 128`, r0 gets
# r1 - 256 zero-extended (0xffffff00..=0xffffff80), not a negative 64-bit value, so its
# upper half is 0 and the read of the uninitialised r3 is dead (before 6.18 there is no
# 32-bit link and r0 keeps its own range: dead too).
call bpf_get_prandom_u32
w0 |= -256
r1 = r0
w1 += 256
if r1 > 128 goto out
r2 = r0
r2 >>= 32
if r2 == 0 goto out
r0 = *(u8 *)(r3 + 0)
out:
r0 = 2
exit
