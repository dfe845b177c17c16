# kernel: accept
r2 = r10
if r2 > r1 goto l
l:
r0 = 0
exit
