# kernel: reject
# kernel log: R1 type=map_value_or_null expected=map_value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
r6 = r0
r1 = r0
r1 += 4
call bpf_spin_lock
r1 = r6
r1 += 4
call bpf_spin_unlock
r0 = 2
exit
