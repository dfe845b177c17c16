# kernel: accept
# type: sched_cls
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
*(u32 *)(r6 + 0) = 1
r7 = r6
r7 += 4
r1 = r7
call bpf_spin_unlock
out:
r0 = 0
exit
