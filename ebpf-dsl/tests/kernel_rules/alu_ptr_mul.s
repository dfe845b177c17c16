# kernel: reject
# kernel log: R2 pointer arithmetic with *= operator prohibited
r2 = r10
r2 *= 1
r0 = 0
exit
