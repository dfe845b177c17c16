# kernel: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = wo ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u32 *)(r0 + 0) = 1
out:
r0 = 0
exit
