# kernel: reject
# kernel log: value -2147483648 makes pkt pointer be out of bounds
r2 = *(u32 *)(r1 + 0)
r6 = r2
call bpf_get_prandom_u32
r0 <<= 32
r0 s>>= 32
r6 += r0
r0 = 2
exit
