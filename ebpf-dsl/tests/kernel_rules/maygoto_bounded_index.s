# kernel: accept
# since: 6.9
# type: socket_filter
# kernel log: r1 is precise (it bounds the stack access) and keeps its value each round
*(u64 *)(r10 - 8) = 0
r1 = 0
l:
may_goto +6
r2 = r10
r2 += -8
r2 += r1
r0 = *(u8 *)(r2 + 0)
r1 += 1
if r1 < 8 goto l
r0 = 0
exit
