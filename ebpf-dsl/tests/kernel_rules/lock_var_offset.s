# kernel: reject
# kernel log: R1 doesn't have constant offset. bpf_spin_lock has to be at the constant offset
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r2 = *(u32 *)(r6 + 0)
r2 &= 4
r1 = r6
r1 += r2
call bpf_spin_lock
r1 = r6
r1 += 4
call bpf_spin_unlock
out:
r0 = 2
exit
