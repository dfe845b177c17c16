# kernel: reject
# kernel log: invalid access to packet, off=0 size=8, R1(id=0,off=0,r=4).
.global_func f(mem 8)
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
r0 = 0
exit
