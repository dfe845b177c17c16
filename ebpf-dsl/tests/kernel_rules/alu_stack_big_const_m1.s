# kernel: accept
r1 = r10
r1 += 536870911
r0 = 0
exit
