# kernel: accept
# type: sched_cls
# target: 6.18
# bpf_for within a bpf_spin_lock-ed region: the numbers iterator's kfuncs are allowed there
# (kfunc_spin_allowed) in the 6.18 reference kernel, not in 6.12
r6 = 0
*(u32 *)(r10 - 4) = r6
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r7 = r0
r1 = r7
r1 += 4
call bpf_spin_lock
r1 = r10
r1 += -16
r2 = 0
r3 = 10
call bpf_iter_num_new
loop:
r1 = r10
r1 += -16
call bpf_iter_num_next
if r0 == 0 goto done
r6 += 1
goto loop
done:
r1 = r10
r1 += -16
call bpf_iter_num_destroy
r1 = r7
r1 += 4
call bpf_spin_unlock
out:
r0 = 0
exit
