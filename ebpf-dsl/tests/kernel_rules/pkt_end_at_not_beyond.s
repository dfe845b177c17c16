# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# At the end is not past it: after `r4 >= data_end`, `r4 > data_end` may still go either way.
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 >= r3 goto x
r0 = 2
exit
x:
if r4 > r3 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
