# kernel: accept
# type: sched_cls
# note: bpf_tcp_sock's PTR_TO_TCP_SOCK is a value for a sockmap update
r6 = *(u64 *)(r1 + 168)
if r6 == 0 goto out
r1 = r6
call bpf_tcp_sock
if r0 == 0 goto out
r6 = r0
*(u32 *)(r10 - 4) = 0
r1 = sm ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
out:
r0 = 0
exit
