# kernel: reject
# type: socket_filter
# kernel log: socket filter progs cannot use bpf_spin_lock yet
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
out:
r0 = 0
exit
