# kernel: accept
# note: an XSKMAP lookup gives a struct bpf_xdp_sock; only its u32 queue_id at offset 0 may be read
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = x ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 2
exit
