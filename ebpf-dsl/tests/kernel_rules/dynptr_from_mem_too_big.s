# kernel: reject
# kernel log: R1 min value is outside of the allowed memory range
r6 = r1
*(u32 *)(r10 - 20) = 0
r1 = m ll
r2 = r10
r2 += -20
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = 17
r3 = 0
r4 = r10
r4 += -16
call bpf_dynptr_from_mem
out:
r0 = 2
exit
