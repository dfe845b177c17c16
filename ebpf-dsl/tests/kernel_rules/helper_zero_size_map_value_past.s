# kernel: reject
# type: sched_cls
# kernel log: invalid access to map value, value_size=16 off=17 size=0 / R1 min value is outside of the allowed memory range
# A zero-size memory argument one byte beyond the end of the 16-byte value of `m`.
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 17
r2 = 0
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
out:
r0 = 0
exit
