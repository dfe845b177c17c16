# kernel: reject
# kernel log: (R3 is not a known constant)
r6 = r1
*(u32 *)(r10 - 20) = 0
r1 = m ll
r2 = r10
r2 += -20
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_dynptr_from_mem
r1 = r10
r1 += -16
r2 = 0
r3 = *(u32 *)(r6 + 16)
r3 &= 4
call bpf_dynptr_data
out:
r0 = 2
exit
