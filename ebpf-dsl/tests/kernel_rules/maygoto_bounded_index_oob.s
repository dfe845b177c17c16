# kernel: reject
# type: socket_filter
# kernel log: invalid variable-offset read from stack (the ninth round reads r10 + 0)
*(u64 *)(r10 - 8) = 0
r1 = 0
l:
may_goto +6
r2 = r10
r2 += -8
r2 += r1
r0 = *(u8 *)(r2 + 0)
r1 += 1
if r1 < 9 goto l
r0 = 0
exit
