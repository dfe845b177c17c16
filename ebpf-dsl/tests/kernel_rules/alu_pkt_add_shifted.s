# kernel: reject
# kernel log: math between pkt pointer and register with unbounded min value is not allowed
r6 = *(u32 *)(r1 + 0)
call bpf_get_prandom_u32
r0 <<= 32
r6 += r0
r0 = 2
exit
