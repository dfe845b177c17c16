# kernel: accept
r1 = r10
r1 = -r1
r0 = r1
exit
