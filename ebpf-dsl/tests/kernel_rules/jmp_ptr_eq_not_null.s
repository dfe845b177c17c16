# kernel: accept
# since: 6.6
# `if r0 != r7` with r0 a lookup result that may be NULL and r7 one that is not: where they
# are equal r0 is not NULL (`mark_ptr_not_null_reg`). 6.1.192 learns nothing from two
# pointers compared.
.map zq array key=4 value=8 max_entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = zq ll
call bpf_map_lookup_elem
r6 = r0
if r0 == 0 goto out
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = zq ll
call bpf_map_lookup_elem
if r0 != r7 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
