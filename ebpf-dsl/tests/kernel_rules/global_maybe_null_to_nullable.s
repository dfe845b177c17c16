# kernel: accept
# A lookup result before its null check passed where NULL is allowed (no __arg_nonnull).
.global_func f(mem 8)
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = h ll
call bpf_map_lookup_elem
r1 = r0
call f
exit
f:
r0 = 0
if r1 == 0 goto out
r0 = *(u64 *)(r1 + 0)
out:
exit
