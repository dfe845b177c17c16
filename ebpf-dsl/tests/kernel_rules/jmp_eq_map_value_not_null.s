# kernel: accept
# since: 6.6
# kernel log: a map pointer is reg_not_null: on the equal branch the lookup is not NULL (mark_ptr_not_null_reg)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r6 = r0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
if r6 != r0 goto out
r1 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
