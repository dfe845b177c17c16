# kernel: reject
# kernel log: invalid access to map value, value_size=16 off=16 size=1
# As alu_fork_or_in_bounds, with `r6 |= 16`: the path with 16 reads past the 16-byte value.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r6 = *(u64 *)(r9 + 0)
r6 s>>= 63
r6 |= 16
if r6 s< 0 goto out
r9 += r6
r0 = *(u8 *)(r9 + 0)
out:
r0 = 2
exit
