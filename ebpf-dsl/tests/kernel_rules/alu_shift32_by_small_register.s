# kernel: accept
# The same with r1 = 3: a 32-bit shift by a constant below 32 is computed and zero-extended,
# `r0 >>= 32` is 0 and the division by 0 is dead.
call bpf_get_prandom_u32
r6 = r0
r1 = 3
w0 <<= w1
r0 >>= 32
if r0 == 0 goto out
r6 /= 0
out:
r0 = 0
exit
