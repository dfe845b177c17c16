# kernel: reject
# kernel log: fp pointer offset 536870912 is not allowed
r1 = r10
r1 += 536870911
r1 += 1
r0 = 0
exit
