# kernel: accept
# note: a socket from a sockmap lookup may be stored in a sockmap and a sockhash (may_update_sockmap: xdp), then released
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = sm ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
r1 = sh ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
r1 = r6
call bpf_sk_release
out:
r0 = 2
exit
