# kernel: reject
# kernel log: R0 pointer arithmetic on xdp_sock prohibited
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = x ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += 0
out:
r0 = 0
exit
