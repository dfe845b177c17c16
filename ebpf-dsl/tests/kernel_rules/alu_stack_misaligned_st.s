# kernel: reject
# kernel log: misaligned stack access off 0+0+-7 size 2
*(u16 *)(r10 - 7) = 0
r0 = 0
exit
