# kernel: reject
# kernel log: invalid write to stack R10 off=0 size=1
*(u8 *)(r10 + 0) = 0
r0 = 0
exit
