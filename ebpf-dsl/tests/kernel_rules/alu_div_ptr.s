# kernel: reject
# kernel log: R2 pointer arithmetic with /= operator prohibited
r2 = 5
r2 /= r10
r0 = 0
exit
