# kernel: reject
# kernel log: (-ENOTSUPP) a frozen read-only array of 4 entries: the direct read of its
#   bytes at a constant offset fails (array_map_direct_value_addr wants max_entries 1)
.map cfg4 array key=4 value=8 max_entries=4 flags=rdonly_prog init=0000000007000000
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = cfg4 ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 4)
out:
r0 = 2
exit
