# kernel: reject
# type: sched_cls
# kernel log: invalid access to map value, value_size=16 off=0 size=20 / R1 min value is outside of the allowed memory range
# The same unchecked lookup result with 20 bytes: past the 16-byte value of `m`.
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r1 = r0
r2 = 20
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 0
exit
