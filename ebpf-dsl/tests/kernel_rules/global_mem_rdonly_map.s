# kernel: reject
# kernel log: write into map forbidden. The body may write a memory argument: a read-only
# map value cannot be one.
.global_func f(mem 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = ro ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
call f
out:
r0 = 0
exit
f:
r0 = 0
exit
