# kernel: accept
# type: sched_cls
# note: the non-NULL result is PTR_TO_SOCKET: struct bpf_sock fields may be read (family at 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 4)
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
