# kernel: accept
# Called at three places with three different numbers: verified once, for any number.
.global_func f(scalar)
r1 = 1
call f
r6 = r0
r1 = 2
call f
r1 = 3
call f
r0 = 2
exit
f:
r0 = r1
r0 &= 3
exit
