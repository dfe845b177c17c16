# kernel: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
call bpf_get_prandom_u32
r0 &= 4
r6 += r0
w1 = 1
lock *(u32 *)(r6 + 0) += w1
out:
r0 = 0
exit
