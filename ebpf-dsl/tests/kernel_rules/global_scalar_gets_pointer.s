# kernel: reject
# kernel log: R1 is not a scalar; Caller passes invalid args into func#1 ('f').
.global_func f(scalar)
call f
exit
f:
r0 = r1
exit
