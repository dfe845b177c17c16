# kernel: reject
# kernel log: math between map_value pointer and register with unbounded min value is not allowed. The variable-offset buffer passed to a global
# function is clobbered over the whole range it may cover: the zero stored at r10 - 8 is
# unknown after the call.
.global_func f(mem 8)
r2 = *(u32 *)(r1 + 12)
r2 &= 8
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -16
r1 += r2
call f
r6 = *(u64 *)(r10 - 8)
*(u32 *)(r10 - 20) = 0
r2 = r10
r2 += -20
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
f:
r0 = 0
exit
