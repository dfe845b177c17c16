# kernel: reject
# kernel log: Unreleased reference (the socket a sockmap lookup gives is a reference)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 4)
out:
r0 = 2
exit
