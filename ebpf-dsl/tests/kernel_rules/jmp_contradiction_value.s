# kernel: accept
# since: 6.18
# kernel log: the branch `if r6 < 16` is taken by no value of r6 (a multiple of 8 of at least 9); 6.18.44 walks it with r6 = 8 (its bounds sync of the contradiction), decides `if r6 == 8` and never reaches the scalar load; before 6.18 this verifier takes r6 as unknown there
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 += -1
r6 *= 8
if r6 s> 8 goto l1
r0 = 2
exit
l1:
if r6 < 16 goto l4
r0 = 2
exit
l4:
if r6 == 8 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
