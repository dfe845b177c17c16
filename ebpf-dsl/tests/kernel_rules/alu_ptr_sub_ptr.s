# kernel: accept
r2 = r10
r2 -= r1
r0 = r2
exit
