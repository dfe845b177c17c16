# kernel: reject
# type: socket_filter
# kernel log: socket filters may look a sockmap up but are not offered bpf_sk_release: the socket found leaks
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = 1
out:
r0 = 0
exit
