# kernel: reject
# kernel log: direct value access on string failed (a lookup into a frozen read-only array of
#   2 entries: map_direct_value_addr wants one entry)
.map multi array key=4 value=8 max_entries=2 flags=rdonly_prog init=6162630000000000
*(u64 *)(r10 - 16) = 0
*(u32 *)(r10 - 20) = 0
r2 = r10
r2 += -20
r1 = multi ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r10
r1 += -16
r2 = 4
r3 = r0
call bpf_strncmp
out:
r0 = 2
exit
