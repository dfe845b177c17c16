# kernel: accept
# type: sched_cls
# `data_end < r4` taken marks r4 past the end too; `data_end >= r4` is then known false.
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 20
if r3 < r4 goto x
r0 = 0
exit
x:
if r3 >= r4 goto bad
r0 = 0
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
