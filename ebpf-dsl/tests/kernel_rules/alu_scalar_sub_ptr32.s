# kernel: accept
w2 = 100
w2 -= w10
r0 = r2
exit
