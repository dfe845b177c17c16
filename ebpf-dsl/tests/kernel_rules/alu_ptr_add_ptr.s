# kernel: reject
# kernel log: R2 pointer += pointer prohibited
r2 = r10
r2 += r1
r0 = 0
exit
