# kernel: accept
r2 = r10
if r2 > 5 goto l
l:
r0 = 0
exit
