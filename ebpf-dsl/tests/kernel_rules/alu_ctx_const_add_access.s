# kernel: reject
# kernel log: dereference of modified ctx ptr R1 off=4 disallowed
r1 += 4
r2 = *(u32 *)(r1 + 0)
r0 = 2
exit
