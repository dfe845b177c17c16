# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=184 size=8
r2 = 0
*(u64 *)(r1 + 184) = r2
r0 = 0
exit
