# kernel: accept
# kernel log: a zero size at the value's end (offset 16 of 16 bytes) is within bounds
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 16
r2 = 0
r3 = 0
call bpf_probe_read_kernel
out:
r0 = 2
exit
