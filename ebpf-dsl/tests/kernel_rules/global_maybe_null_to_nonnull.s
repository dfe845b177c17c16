# kernel: reject
# kernel log: arg#0 is expected to be non-NULL. A lookup result before its null check.
.global_func f(mem 8 nonnull)
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
r1 = r0
call f
exit
f:
r0 = *(u64 *)(r1 + 0)
exit
