# kernel: reject
# kernel log: R2 tried to subtract pointer from scalar
r2 = 100
r2 -= r10
r0 = r2
exit
