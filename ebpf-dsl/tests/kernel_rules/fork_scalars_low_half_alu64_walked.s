# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (the split of `r2 &= -134` on r2's low half, -1 or 0, keeps both paths: the one with 0xffffff7a goes on to the load through r0, a number)
call bpf_get_prandom_u32
w2 = w0
w2 s>>= 31
r2 &= -134
if w2 s> -1 goto out
r0 = *(u64 *)(r0 + 0)
out:
w0 = 0
exit
