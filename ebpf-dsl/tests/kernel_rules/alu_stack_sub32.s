# kernel: accept
r1 = r10
w1 -= 8
r0 = 0
exit
