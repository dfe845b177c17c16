# kernel: reject
# kernel log: the socket is gone after bpf_sk_release (R6 invalid mem access 'scalar')
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r0
call bpf_sk_release
r0 = *(u32 *)(r6 + 4)
out:
r0 = 2
exit
