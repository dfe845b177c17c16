# kernel: accept
# since: 6.6
# `if r1 != r0` with r1 the constant 0 and r0 a map value pointer: always true (6.12's
# `is_branch_taken` tries both orders). 6.1.192 decides only with the pointer as the
# destination and the 0 as the source.
.map zq array key=4 value=8 max_entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = zq ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 0
if r1 != r0 goto out
r0 = *(u64 *)(r9 + 0)
out:
r0 = 2
exit
