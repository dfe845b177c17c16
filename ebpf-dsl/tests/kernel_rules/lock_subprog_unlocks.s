# kernel: accept
# since: 6.9
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
r1 += 4
call bpf_spin_lock
r1 = r6
r1 += 4
call unlock
out:
r0 = 2
exit
unlock:
call bpf_spin_unlock
r0 = 0
exit
