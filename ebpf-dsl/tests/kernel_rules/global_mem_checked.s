# kernel: accept
# A nullable memory argument checked in the body; the body writes into it too.
.global_func f(mem 8)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
exit
f:
r0 = 0
if r1 == 0 goto out
r0 = *(u64 *)(r1 + 0)
*(u32 *)(r1 + 4) = r0
out:
exit
