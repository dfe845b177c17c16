# kernel: accept
r2 = r10
r2 += -8
r3 = r10
r2 -= r3
r0 = r2
exit
