# kernel: accept
# since: 6.9
# The static counterpart of global_call_under_lock.s: a static function may be called while
# the lock is held.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r0
r1 += 4
call bpf_spin_lock
call f
r1 = r6
r1 += 4
call bpf_spin_unlock
out:
r0 = 0
exit
f:
r0 = 0
exit
