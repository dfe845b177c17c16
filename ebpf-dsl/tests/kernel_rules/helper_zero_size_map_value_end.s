# kernel: accept
# type: sched_cls
# A zero-size memory argument one past the 16-byte value of `m` (off + 0 <= value_size).
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 16
r2 = 0
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
out:
r0 = 0
exit
