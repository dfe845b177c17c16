# kernel: accept
# A literal NULL where NULL is allowed; the body checks it.
.global_func f(mem 4)
r1 = 0
call f
exit
f:
r0 = 0
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 0)
out:
exit
