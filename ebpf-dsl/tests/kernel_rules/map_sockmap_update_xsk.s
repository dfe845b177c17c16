# kernel: accept
# note: an XSKMAP entry (PTR_TO_XDP_SOCK) is one of the socket kinds a sockmap update takes
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = x ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = sm ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
out:
r0 = 2
exit
