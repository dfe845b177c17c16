# kernel: accept
# A packet pointer with 4 proven bytes passed as 4 bytes of memory; the body writes them.
.global_func f(mem 4)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r1 = r2
call f
out:
r0 = 2
exit
f:
if r1 == 0 goto done
*(u32 *)(r1 + 0) = 0
done:
r0 = 0
exit
