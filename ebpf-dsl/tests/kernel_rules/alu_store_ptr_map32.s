# kernel: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u32 *)(r0 + 0) = w10
out:
r0 = 0
exit
