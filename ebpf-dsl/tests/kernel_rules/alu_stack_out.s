# kernel: reject
# kernel log: invalid write to stack R10 off=-513 size=1
*(u8 *)(r10 - 513) = 0
r0 = 0
exit
