# kernel: reject
# kernel log: R1 min value is outside of the allowed memory range
# (a zero size still needs the pointer within the value or at its end: 17 > 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 17
r2 = 0
r3 = 0
call bpf_probe_read_kernel
out:
r0 = 2
exit
