# kernel: accept
# type: socket_filter
# note: socket filters may update a sockhash with `__sk_buff.sk` (may_update_sockmap)
r6 = *(u64 *)(r1 + 168)
if r6 == 0 goto out
*(u32 *)(r10 - 4) = 0
r1 = sh ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
out:
r0 = 0
exit
