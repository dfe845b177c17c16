# kernel: reject
# type: sched_cls
# kernel log: cannot pass map_type 24 into func bpf_map_lookup_elem#1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sk ll
call bpf_map_lookup_elem
r0 = 0
exit
