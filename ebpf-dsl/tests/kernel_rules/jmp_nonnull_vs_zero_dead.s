# kernel: accept
# note: after the null check r6 is a map value pointer, never NULL: `if r6 != 0` is always taken (is_branch_taken with reg_not_null), so the write to r10 is dead
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r6 = r0
if r6 == 0 goto out
if r6 != 0 goto out
r10 += 10
out:
r0 = 2
exit
